using System.Diagnostics;
using System.Runtime.Intrinsics;
using CsCheck;
using EvalHarness.Backends;
using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.Backends;

/// <summary>
/// The SIMD backend with instruction sets switched off (ImageSharp's FeatureTestRunner idea):
/// the test assembly reruns <see cref="Auto_width_equals_scalar"/> in a child process with
/// <c>DOTNET_Enable…=0</c>; the child asserts the switch took effect, that the backend picked the
/// widest width still accelerated, and that it still equals the scalar oracle.
/// </summary>
public class IsaFallbackTests
{
    private const string SwitchVariable = "EVALHARNESS_ISA_SWITCHED_OFF";

    [Fact]
    public void Auto_width_equals_scalar()
    {
        var switchedOff = Environment.GetEnvironmentVariable(SwitchVariable);
        switch (switchedOff)
        {
            case null: break;
            // .NET 10 switches AVX-512 as one ISA group (DOTNET_EnableAVX512F of .NET 8 is gone).
            case "DOTNET_EnableAVX512": Assert.False(Vector512.IsHardwareAccelerated, "AVX-512 should be off"); break;
            case "DOTNET_EnableAVX2": Assert.False(Vector256.IsHardwareAccelerated, "AVX2 should be off"); break;
            case "DOTNET_EnableHWIntrinsic": Assert.False(Vector128.IsHardwareAccelerated, "hardware intrinsics should be off"); break;
            default: Assert.Fail($"unknown switch {switchedOff}"); break;
        }

        using var simd = new SimdBackend();
        var expectedWidth = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;
        Assert.Equal(expectedWidth, (int)simd.Width);

        // Besides the automatic choice, every width this process accelerates, and the 128-bit path forced
        // explicitly, so the fallback is exercised whether or not the CPU has AVX-512.
        var forced = new List<SimdBackend> { new(SimdWidth.Bits128) };
        if (Vector256.IsHardwareAccelerated) forced.Add(new SimdBackend(SimdWidth.Bits256));
        if (Vector512.IsHardwareAccelerated) forced.Add(new SimdBackend(SimdWidth.Bits512));
        try
        {
            using var scalar = new ScalarBackend();
            var expected = new DetectionList();
            var actual = new DetectionList();
            var gen = Gen.Select(DenseMapGen.Map, Gen.Enum<VariantKind>()).SelectMany((recipe, kind) => DenseMapGen.Variant(kind).Select(spec => (recipe, spec)));
            gen.Sample(((DenseMapRecipe Recipe, VariantSpec Spec) c) =>
            {
                var map = c.Recipe.Build();
                scalar.Run(map, c.Spec, expected);
                simd.Run(map, c.Spec, actual);
                BackendEquivalence.AssertIdentical(c.Spec, expected, actual);
                foreach (var backend in forced)
                {
                    backend.Run(map, c.Spec, actual);
                    BackendEquivalence.AssertIdentical(c.Spec, expected, actual);
                }
            }, iter: 100, threads: 1);
        }
        finally
        {
            foreach (var backend in forced) backend.Dispose();
        }
    }

    [Theory]
    [InlineData("DOTNET_EnableAVX512")]
    [InlineData("DOTNET_EnableAVX2")]
    [InlineData("DOTNET_EnableHWIntrinsic")]
    public async Task Simd_backend_equals_scalar_with_an_instruction_set_switched_off(string variable)
    {
        var accelerated = variable switch
        {
            "DOTNET_EnableAVX512" => Vector512.IsHardwareAccelerated,
            "DOTNET_EnableAVX2" => Vector256.IsHardwareAccelerated,
            _ => Vector128.IsHardwareAccelerated,
        };
        // Switching off what the CPU lacks changes nothing: the child would pass without proving any fallback.
        Assert.SkipUnless(accelerated, $"{variable}=0 changes nothing here: this CPU does not accelerate that width");
        var assembly = typeof(IsaFallbackTests).Assembly.Location;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("-noLogo");
        start.ArgumentList.Add("-noColor");
        start.ArgumentList.Add("-method");
        start.ArgumentList.Add($"{typeof(IsaFallbackTests).FullName}.{nameof(Auto_width_equals_scalar)}");
        start.Environment[variable] = "0";
        start.Environment[SwitchVariable] = variable;

        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        Assert.True(child.WaitForExit(TimeSpan.FromMinutes(5)), "child test run did not finish in 5 minutes");
        var output = await stdout + await stderr;
        Assert.True(child.ExitCode == 0, $"child run with {variable}=0 failed:\n{output}");
        Assert.Contains("Total: 1, Errors: 0, Failed: 0, Skipped: 0", output);
    }
}
