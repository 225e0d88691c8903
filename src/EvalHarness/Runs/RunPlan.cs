using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using EvalHarness.PostProcessing;
using EvalHarness.Suites;

namespace EvalHarness.Runs;

/// <summary>What a run executes on every image: variants × backends, repeats and warm-up, and the shard.</summary>
public sealed record RunPlan
{
    public required IReadOnlyList<VariantSpec> Variants { get; init; }
    public required IReadOnlyList<string> Backends { get; init; }
    public int Repeats { get; init; } = 5;
    public int WarmUp { get; init; } = 1;
    /// <summary>The slice of images this process runs; null runs them all.</summary>
    public ShardSpec? Shard { get; init; }

    /// <summary>Stop at the first bad image instead of recording it and going on.</summary>
    public bool Strict { get; init; }

    public int CellCount => Variants.Count * Backends.Count;

    public int CellIndex(int variant, int backend) => (variant * Backends.Count) + backend;

    /// <summary>
    /// Identifies the plan and its candidate source; stored outcomes carry it so a resumed or
    /// merged run never mixes results of different parameters or images (<paramref name="imageListHash"/>:
    /// <see cref="RunFolder.ImageListHash"/>). The shard is left out on purpose: shards of one plan
    /// share the hash, which is what lets <c>merge</c> combine them.
    /// </summary>
    public ulong Hash(string sourceDescription, string imageListHash)
    {
        var text = new StringBuilder()
            .Append(sourceDescription).Append('\n')
            .Append(imageListHash).Append('\n')
            .AppendJoin('|', Variants).Append('\n')
            .AppendJoin('|', Backends).Append('\n')
            .Append(Repeats).Append(' ').Append(WarmUp);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()), digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }
}
