using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using EvalHarness.Reporting;

namespace EvalHarness.Runs;

/// <summary>
/// What a run's latencies were timed on: the CPU (model and, where known, family/model/stepping)
/// and what executed each planned backend ("AVX-512 (Vector512)", "CUDA: NVIDIA H200", "" where
/// absent). Stored outcomes carry its hash, and a resume takes only those timed on the same one,
/// so one run's latencies never mix two machines or two vector widths (seen before: a run resumed
/// under <c>DOTNET_EnableAVX512=0</c> kept every AVX-512 timing and labelled it AVX2). It is not
/// part of the plan hash: shards of one plan may run on different machines and still merge.
/// </summary>
internal sealed record TimingMachine(string Cpu, IReadOnlyList<string> Devices)
{
    public static TimingMachine Current(IReadOnlyList<string> devices) => new(EnvironmentInfo.CurrentCpuDescription(), devices);

    public ulong Hash
    {
        get
        {
            var text = new StringBuilder(Cpu).Append('\n').AppendJoin('|', Devices).ToString();
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
            // 0 stands for "not recorded" in the outcome files; a real machine never hashes to it.
            return BinaryPrimitives.ReadUInt64LittleEndian(digest) | 1UL;
        }
    }

    public override string ToString()
    {
        var devices = new StringBuilder();
        foreach (var device in Devices)
        {
            if (device.Length == 0) continue;
            if (devices.Length > 0) devices.Append(", ");
            devices.Append(device);
        }
        return devices.Length == 0 ? Cpu : $"{Cpu}; {devices}";
    }
}
