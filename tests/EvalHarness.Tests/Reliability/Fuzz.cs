using System.Text;
using CsCheck;

namespace EvalHarness.Tests.Reliability;

/// <summary>
/// Input generators and the contract every parser is fuzzed against: it returns, or throws one of
/// the harness's own typed errors, and it finishes within a bound (no hang on any input).
/// </summary>
internal static class Fuzz
{
    /// <summary>
    /// Iterations per property: modest, so the whole reliability set stays well under a minute on two
    /// cores; set EVALHARNESS_FUZZ_ITERATIONS for a longer soak (the bugs fixed so far needed 5k-30k).
    /// </summary>
    public static readonly int Iterations =
        int.TryParse(Environment.GetEnvironmentVariable("EVALHARNESS_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 400;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>Random bytes, biased towards short inputs (most parser branches sit near the start).</summary>
    public static Gen<byte[]> Bytes => Gen.Frequency((3, Gen.Byte.Array[0, 64]), (1, Gen.Byte.Array[0, 600]));

    /// <summary>One to four mutations of <paramref name="seed"/>: bit flips, truncation, insertions of random or structural bytes, deletions, duplicated lines.</summary>
    public static Gen<byte[]> Mutations(byte[] seed) => Gen.ULong.Select(s => Mutate(seed, s));

    public static Gen<string> MutatedText(string seed) => Mutations(Encoding.UTF8.GetBytes(seed)).Select(b => Encoding.UTF8.GetString(b));

    private static readonly byte[][] Tokens =
    [
        "\n"u8.ToArray(), "\r\n"u8.ToArray(), "\r"u8.ToArray(), " "u8.ToArray(), "\t"u8.ToArray(), "-"u8.ToArray(), "."u8.ToArray(),
        "0"u8.ToArray(), "9999999999"u8.ToArray(), "2147483647"u8.ToArray(), "-2147483648"u8.ToArray(), "nan"u8.ToArray(),
        "inf"u8.ToArray(), "-inf"u8.ToArray(), "1e308"u8.ToArray(), "1e-400"u8.ToArray(), ","u8.ToArray(), "("u8.ToArray(),
        ")"u8.ToArray(), "="u8.ToArray(), "\""u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(),
        "null"u8.ToArray(), [0xEF, 0xBB, 0xBF], [0xFF], [0x00], [0xFF, 0xFF, 0xFF, 0x7F], [0x00, 0x00, 0x00, 0x80],
    ];

    internal static byte[] Mutate(byte[] seed, ulong state)
    {
        var random = new Random((int)state ^ (int)(state >> 32));
        var bytes = new List<byte>(seed);
        var mutations = random.Next(1, 5);
        for (var m = 0; m < mutations; m++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count + 1);
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0:
                    var flip = random.Next(bytes.Count);
                    bytes[flip] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.RemoveRange(at, bytes.Count - at); // truncate
                    break;
                case 2:
                    var random1 = new byte[random.Next(1, 9)];
                    random.NextBytes(random1);
                    bytes.InsertRange(at, random1);
                    break;
                case 3:
                    bytes.InsertRange(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 4 when bytes.Count > 0:
                    var from = random.Next(bytes.Count);
                    bytes.RemoveRange(from, Math.Min(bytes.Count - from, random.Next(1, 16)));
                    break;
                case 5:
                    DuplicateLine(bytes, random);
                    break;
                default:
                    if (bytes.Count > 0) bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    break;
            }
        }
        return [.. bytes];
    }

    private static void DuplicateLine(List<byte> bytes, Random random)
    {
        if (bytes.Count == 0) return;
        var start = bytes.LastIndexOf((byte)'\n', random.Next(bytes.Count)) + 1;
        var end = bytes.IndexOf((byte)'\n', start);
        end = end < 0 ? bytes.Count : end + 1;
        bytes.InsertRange(end, bytes.GetRange(start, end - start));
    }

    /// <summary>
    /// Runs <paramref name="parse"/> on a worker with a time bound; only the exception types in
    /// <paramref name="documented"/> (the parser's documented errors for this input) may escape it,
    /// and none at all when it is empty (readers that warn instead of throwing).
    /// </summary>
    public static void Accepts<T>(T input, Action<T> parse, Func<T, string> show, params Type[] documented)
    {
        var task = Task.Run(() =>
        {
            try
            {
                parse(input);
            }
            catch (Exception ex) when (Array.IndexOf(documented, ex.GetType()) >= 0)
            {
                // The contract: the parser's own typed, user-facing error.
            }
        });
        try
        {
            if (!task.Wait(Bound)) Assert.Fail($"no result within {Bound.TotalSeconds} s for input {show(input)}");
        }
        catch (AggregateException ex)
        {
            var inner = ex.InnerException!;
            Assert.Fail($"{inner.GetType().Name} escaped for input {show(input)}: {inner}");
        }
    }

    public static string ShowBytes(byte[] bytes) => bytes.Length <= 400 ? Convert.ToHexString(bytes) : Convert.ToHexString(bytes.AsSpan(0, 400)) + $"... ({bytes.Length} bytes)";

    public static string ShowText(string text) => "\"" + (text.Length <= 400 ? text : text[..400] + "...").Replace("\r", "\\r").Replace("\n", "\\n") + "\"";
}
