using System.Text.Json;
using System.Text.Json.Serialization;
using EvalHarness.IO;

namespace EvalHarness.Suites;

/// <summary>
/// Splits a suite's images across machines. Shard i of n (1-based) takes the images whose index
/// is ≡ i−1 (mod n): round-robin, so every shard gets a similar mix of easy and crowded images
/// from every event (WIDER FACE is ordered by event), and the plan depends on nothing but the count.
/// </summary>
public static class ShardPlan
{
    public static int[] Select(int imageCount, ShardSpec shard) => Select(imageCount, shard.Index, shard.Count);

    public static int[] Select(int imageCount, int index, int count)
    {
        if (imageCount < 0) throw new ArgumentOutOfRangeException(nameof(imageCount), imageCount, "must not be negative");
        if (count < 1 || index < 1 || index > count) throw new UsageException($"shard {index}/{count}: need 1 ≤ i ≤ n");
        var first = index - 1;
        var size = first < imageCount ? (imageCount - first + count - 1) / count : 0;
        var indices = new int[size];
        for (var k = 0; k < size; k++) indices[k] = first + k * count;
        return indices;
    }
}

/// <summary>
/// What one shard measured on one image for one variant × backend. Evaluation is not done per
/// shard: the python protocol normalises scores with one global min-max over every image, so the
/// merge re-evaluates the union of the detections. <see cref="PredictionLines"/> carries them in
/// the prediction-file format (<c>x y w h score</c> per line, as PredictionFormat writes them)
/// unless the shard wrote prediction folders, which the merge then unions instead (null here).
/// </summary>
public sealed record ImageRunPartial(
    string Variant,
    string Backend,
    string Status,
    string? Reason,
    string? DetectionsSha256,
    double[] LatencyMs,
    string[]? PredictionLines);

/// <summary>One image of a shard: its position in the full image list and its results.</summary>
public sealed record ImagePartial(int Index, string Event, string ImageKey, IReadOnlyList<ImageRunPartial> Runs);

/// <summary>The partial result file of one shard (<c>shard-i-of-n.json</c>).</summary>
public sealed record ShardPartial(string Suite, string Shard, int TotalImages, IReadOnlyList<ImagePartial> Images)
{
    public static string FileName(ShardSpec shard) => $"shard-{shard.Index}-of-{shard.Count}.json";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ShardPartial))]
internal sealed partial class ShardJsonContext : JsonSerializerContext;

/// <summary>Writes, reads and merges shard partials; the merge checks that the shards tile the image list exactly.</summary>
public static class ShardMerge
{
    public static void Write(ShardPartial partial, string path) =>
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(partial, ShardJsonContext.Default.ShardPartial));

    public static ShardPartial Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), ShardJsonContext.Default.ShardPartial)
                ?? throw new DataFormatException(path, 0, "empty shard file");
        }
        catch (JsonException ex)
        {
            throw new DataFormatException(path, (int)(ex.LineNumber ?? -1) + 1, $"not a shard partial: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The images of all shards in their original order. Every shard must belong to the same suite
    /// and image count, the shards must be 1..n of the same n, each present once, and each must
    /// hold exactly the images <see cref="ShardPlan"/> gives it.
    /// </summary>
    public static IReadOnlyList<ImagePartial> Merge(IReadOnlyList<ShardPartial> shards)
    {
        if (shards.Count == 0) throw new UsageException("merge needs at least one shard");
        var suite = shards[0].Suite;
        var total = shards[0].TotalImages;
        var specs = new ShardSpec[shards.Count];
        for (var s = 0; s < shards.Count; s++)
        {
            var shard = shards[s];
            if (shard.Suite != suite) throw new UsageException($"shard {shard.Shard} is from suite '{shard.Suite}', the others from '{suite}'");
            if (shard.TotalImages != total) throw new UsageException($"shard {shard.Shard} planned {shard.TotalImages} images, the others {total}");
            specs[s] = SuiteLoader.ParseShard(shard.Shard);
        }
        var n = specs[0].Count;
        var present = new bool[n + 1];
        foreach (var spec in specs)
        {
            if (spec.Count != n) throw new UsageException($"shard {spec} does not belong to a split into {n}");
            if (present[spec.Index]) throw new UsageException($"shard {spec} is given twice");
            present[spec.Index] = true;
        }
        for (var i = 1; i <= n; i++)
        {
            if (!present[i]) throw new UsageException($"shard {i}/{n} is missing");
        }

        var merged = new ImagePartial[total];
        for (var s = 0; s < shards.Count; s++)
        {
            var expected = ShardPlan.Select(total, specs[s]);
            var images = shards[s].Images;
            if (images.Count != expected.Length) throw new UsageException($"shard {specs[s]} holds {images.Count} images, its plan {expected.Length}: it did not finish");
            for (var k = 0; k < images.Count; k++)
            {
                if (images[k].Index != expected[k]) throw new UsageException($"shard {specs[s]}: image #{k} has index {images[k].Index}, the plan says {expected[k]}");
                merged[images[k].Index] = images[k];
            }
        }
        return merged;
    }
}
