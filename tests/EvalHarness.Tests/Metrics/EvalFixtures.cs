using System.Text;
using EvalHarness.Datasets;

namespace EvalHarness.Tests.Metrics;

/// <summary>Small synthetic ground truths and prediction folders for behaviour tests.</summary>
internal static class EvalFixtures
{
    public static GroundTruthImage Image(string eventName, string key, params (GtBox Box, SettingMask Counted)[] boxes) => new()
    {
        Event = eventName,
        ImageKey = key,
        Boxes = boxes.Select(b => b.Box).ToArray(),
        Counted = boxes.Select(b => b.Counted).ToArray(),
    };

    public static GroundTruth Truth(params GroundTruthImage[] images) => new() { Images = images, Source = "synthetic" };

    public static ImagePredictions Preds(string eventName, string key, params PredBox[] boxes) =>
        new() { Event = eventName, ImageKey = key, Boxes = boxes };

    public static PredictionSet Set(params ImagePredictions[] images)
    {
        var set = new PredictionSet { Source = "memory" };
        foreach (var image in images) set.Set(image);
        return set;
    }

    /// <summary>A fresh temporary folder, deleted when disposed.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "evalharness-tests", Guid.NewGuid().ToString("N"));

        public string Write(string relative, string content)
        {
            var full = System.IO.Path.Combine(Path, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, Encoding.UTF8.GetBytes(content));
            return full;
        }

        public void Dispose()
        {
            if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
        }
    }
}
