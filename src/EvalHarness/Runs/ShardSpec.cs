using System.Globalization;
using EvalHarness.IO;

namespace EvalHarness.Runs;

/// <summary>
/// The i-th of n deterministic slices of a run's images (1-based, <c>--shard 2/3</c>). Images are
/// dealt round-robin by their index in the source so every shard gets a similar mix of events,
/// and the union of all shards is exactly the unsharded image list.
/// </summary>
public readonly record struct ShardSpec(int Index, int Count)
{
    public static readonly ShardSpec Whole = new(1, 1);

    public bool IsWhole => Count == 1;

    public bool Contains(int imageIndex) => imageIndex % Count == Index - 1;

    public static ShardSpec Parse(string text)
    {
        var slash = text.IndexOf('/');
        if (slash > 0
            && int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            && int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n >= 1 && i >= 1 && i <= n)
        {
            return new ShardSpec(i, n);
        }
        throw new UsageException($"--shard '{text}': expected i/n with 1 <= i <= n (e.g. 2/4)");
    }

    public override string ToString() => $"{Index}/{Count}";
}
