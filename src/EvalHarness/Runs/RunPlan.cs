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

    /// <summary>
    /// Images per <c>RunBatch</c> call for backends that prefer batches (the GPU: one upload and
    /// one launch sequence per batch); their per-image latency is then the batch's time over its images.
    /// 1 runs them image by image like every other backend.
    /// </summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    public const int DefaultBatchSize = 16;

    /// <summary>
    /// Whether a backend of this name runs batches (<see cref="EvalHarness.Backends.IPostProcessingBackend.PrefersBatches"/>):
    /// the plan knows backends by name only, and its hash must not depend on which devices are present.
    /// </summary>
    public static bool IsBatchingBackend(string name) => name == "gpu";

    /// <summary>True when <see cref="BatchSize"/> changes what some planned backend's latencies mean.</summary>
    public bool BatchesAnyBackend
    {
        get
        {
            if (BatchSize == 1) return false;
            foreach (var backend in Backends)
            {
                if (IsBatchingBackend(backend)) return true;
            }
            return false;
        }
    }

    public int CellCount => Variants.Count * Backends.Count;

    public int CellIndex(int variant, int backend) => (variant * Backends.Count) + backend;

    /// <summary>
    /// Identifies the plan and its candidate source; stored outcomes carry it so a resumed or
    /// merged run never mixes results of different parameters or images (<paramref name="imageListHash"/>:
    /// <see cref="RunFolder.ImageListHash"/>). The shard is left out on purpose: shards of one plan
    /// share the hash, which is what lets <c>merge</c> combine them. The batch size enters only
    /// where it changes a latency's meaning (a batching backend, batches above 1), so plans it
    /// cannot affect keep the hash they had before batches existed.
    /// </summary>
    public ulong Hash(string sourceDescription, string imageListHash)
    {
        var text = new StringBuilder()
            .Append(sourceDescription).Append('\n')
            .Append(imageListHash).Append('\n')
            .AppendJoin('|', Variants).Append('\n')
            .AppendJoin('|', Backends).Append('\n')
            .Append(Repeats).Append(' ').Append(WarmUp);
        if (BatchesAnyBackend) text.Append(" batch ").Append(BatchSize);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()), digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }
}
