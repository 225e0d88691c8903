using EvalHarness.IO;

namespace EvalHarness.Suites;

/// <summary>
/// Splits a suite's images across machines. Shard i of n (1-based) takes the images whose index
/// is ≡ i−1 (mod n): round-robin, so every shard gets a similar mix of easy and crowded images
/// from every event (WIDER FACE is ordered by event), and the plan depends on nothing but the count.
/// </summary>
internal static class ShardPlan
{
    public static int[] Select(int imageCount, ShardSpec shard) => Select(imageCount, shard.Index, shard.Count);

    public static int[] Select(int imageCount, int index, int count)
    {
        if (imageCount < 0) throw new ArgumentOutOfRangeException(nameof(imageCount), imageCount, "must not be negative");
        if (count < 1 || index < 1 || index > count) throw new UsageException($"shard {index}/{count}: need 1 ≤ i ≤ n");
        var first = index - 1;
        // long: imageCount - first + count - 1 overflows int for n near int.MaxValue (shard 1/2147483647)
        var size = first < imageCount ? (int)(((long)imageCount - first + count - 1) / count) : 0;
        var indices = new int[size];
        for (var k = 0; k < size; k++) indices[k] = first + k * count;
        return indices;
    }
}
