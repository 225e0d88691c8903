using System.Text.RegularExpressions;
using EvalHarness.Backends.Gpu;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime.Cuda;

namespace EvalHarness.Tests.Backends.Gpu;

/// <summary>
/// Compiles every kernel of the GPU backend to PTX for an H200 (CUDA architecture SM_90) with
/// ILGPU's PTX backend, no GPU needed, so a kernel that would not build on the benchmark machine
/// fails here. ILGPU 1.5.3 writes <c>.target</c> as min(architecture, sm_80) (its
/// CudaCapabilityContext.TargetArchitecture); the driver JIT-compiles that PTX forward for sm_90,
/// exactly as it will on the H200, so the test pins that header rather than an "sm_90" ILGPU
/// never emits.
/// </summary>
public sealed class PtxCompilationTests
{
    private static readonly Lazy<(Context Context, PTXBackend Backend)> Ptx = new(() =>
    {
        var context = Context.Create(b => b.Math(MathMode.Default).Optimize(OptimizationLevel.O1).EnableAlgorithms());
        // ISA 7.8 is the first PTX ISA that knows sm_90.
        return (context, new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_78, null!));
    });

    private static readonly object Gate = new();

    public static TheoryData<string> Kernels()
    {
        var data = new TheoryData<string>();
        foreach (var (kernel, _) in GpuKernels.EntryPoints) data.Add(Name(kernel));
        return data;
    }

    private static string Name(Delegate kernel)
    {
        var method = kernel.Method;
        var name = method.DeclaringType!.Name + "." + method.Name;
        return method.IsGenericMethod ? name + "<" + string.Join(",", method.GetGenericArguments().Select(t => t.Name)) + ">" : name;
    }

    internal static string CompilePtx(string name)
    {
        foreach (var (kernel, explicitlyGrouped) in GpuKernels.EntryPoints)
        {
            if (Name(kernel) != name) continue;
            var entry = explicitlyGrouped
                ? EntryPointDescription.FromExplicitlyGroupedKernel(kernel.Method)
                : EntryPointDescription.FromImplicitlyGroupedKernel(kernel.Method);
            lock (Gate)
            {
                var compiled = (PTXCompiledKernel)Ptx.Value.Backend.Compile(entry, default);
                return compiled.PTXAssembly;
            }
        }
        throw new ArgumentException($"no kernel {name}", nameof(name));
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Kernel_compiles_to_ptx_for_the_h200(string name)
    {
        var ptx = CompilePtx(name);
        Assert.Contains(".version 7.8", ptx);
        Assert.Matches(new Regex(@"^\.target sm_80\r?$", RegexOptions.Multiline), ptx);
        Assert.Contains(".address_size 64", ptx);
        Assert.Matches(new Regex(@"\.visible \.entry \w+"), ptx);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Kernel_uses_ieee_division_and_square_root(string name)
    {
        // The grid variants must be bit-identical to the scalar oracle: approximate division or
        // square root (fast-math) would break that.
        var ptx = CompilePtx(name);
        Assert.DoesNotContain(".ftz", ptx);
        Assert.DoesNotContain("div.approx", ptx);
        Assert.DoesNotContain("sqrt.approx", ptx);
        Assert.DoesNotContain("rcp.approx", ptx);
        // The one approximation allowed: exp of soft-NMS-gaussian, whose scores the spec compares
        // to 1e-5 relative.
        foreach (Match approx in Regex.Matches(ptx, @"\b\w+(\.\w+)*\.approx\S*"))
        {
            Assert.Equal("SoftNmsKernels.SoftNms<GaussianDecay>", name);
            Assert.StartsWith("ex2.approx", approx.Value);
        }
    }

    [Theory]
    [InlineData("NmsKernels.Mask")]
    [InlineData("NmsKernels.FastSuppress")]
    [InlineData("SoftNmsKernels.SoftNms<LinearDecay>")]
    [InlineData("SoftNmsKernels.SoftNms<GaussianDecay>")]
    [InlineData("SoftNmsKernels.WeightedNms")]
    [InlineData("GradientClippingKernels.Classify")]
    public void Float_products_are_explicitly_rounded_so_ptxas_cannot_contract_them_into_fma(string name)
    {
        var ptx = CompilePtx(name);
        Assert.Contains("mul.rn.f32", ptx);
        Assert.DoesNotContain("fma.", ptx);
        // ILGPU leaves the non-CUDA fallback of CudaFloatOps.Mul in the PTX behind a constant-false
        // guard (setp.ne.s32 %p, 1, 1), which ptxas removes before it could contract anything. So
        // every bare mul.f32 must be such a fallback (one guard each), except the log2(e) scaling
        // inside ILGPU's exp.
        var bare = 0;
        foreach (Match mul in Regex.Matches(ptx, @"\bmul\.f32\s+[^;]*;"))
        {
            if (!mul.Value.Contains("0f3FB8AA3B")) bare++;
        }
        var guards = Regex.Count(ptx, @"setp\.ne\.s32\s+%p\d+, 1, 1;");
        Assert.True(bare <= guards, $"{bare} bare mul.f32 but only {guards} dead-branch guards in {name}");
        Assert.True(Regex.Count(ptx, @"\bmul\.rn\.f32\b") >= bare, "every product needs its rounded twin");
    }
}
