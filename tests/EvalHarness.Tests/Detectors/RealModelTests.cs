using EvalHarness.Detectors;
using EvalHarness.Detectors.Input;
using EvalHarness.Detectors.Testing;
using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.Detectors;

public class RealModelTests
{
    [Fact]
    public void Probe()
    {
        var (images, gt) = MinimalWiderFaceList.Load(TestData.WiderFaceRoot, events: ["13--Interview", "0--Parade"], limit: 30);
        foreach (var (modelName, mode) in new[] { ("back", InputMode.Tiles), ("back", InputMode.Letterbox), ("front", InputMode.Letterbox), ("front", InputMode.Tiles) })
        {
            using var source = new OnnxCandidateSource(images, gt, DetectorModel.Resolve(modelName, TestData.ModelsDir), new FrontEndOptions { Mode = mode });
            var map = new CandidateMap();
            int total = 0, found = 0;
            for (var i = 0; i < images.Count; i++)
            {
                source.Load(i, map);
                foreach (var b in gt.Images[i].Boxes)
                {
                    if (b.W < 20) continue;
                    total++;
                    var best = 0.0;
                    for (var k = 0; k < map.Count; k++)
                    {
                        if (map.Scores[k] < 0.5f) continue;
                        best = Math.Max(best, Iou(b, map.X1[k], map.Y1[k], map.X2[k], map.Y2[k]));
                    }
                    if (best >= 0.5) found++;
                }
            }
            TestContext.Current.SendDiagnosticMessage($"{modelName} {mode}: {found}/{total} faces >= 20px matched at IoU 0.5 by a score >= 0.5 candidate; map count {map.Count}");
        }
    }

    internal static double Iou(global::EvalHarness.Datasets.GtBox b, float x1, float y1, float x2, float y2)
    {
        var ix = Math.Max(0, Math.Min(b.X + b.W, x2) - Math.Max(b.X, x1));
        var iy = Math.Max(0, Math.Min(b.Y + b.H, y2) - Math.Max(b.Y, y1));
        var inter = ix * iy;
        var union = (b.W * b.H) + ((x2 - x1) * (y2 - y1)) - inter;
        return union <= 0 ? 0 : inter / union;
    }
}
