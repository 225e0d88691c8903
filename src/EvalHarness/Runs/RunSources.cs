using EvalHarness.Backends;
using EvalHarness.Backends.Gpu;
using EvalHarness.Datasets;
using EvalHarness.Detectors;
using EvalHarness.Detectors.Cache;
using EvalHarness.Detectors.Synthetic;
using EvalHarness.IO;
using EvalHarness.Sources;
using EvalHarness.Suites;

namespace EvalHarness.Runs;

/// <summary>Builds what a suite names: its candidate source and its backends.</summary>
internal static class RunSources
{
    /// <summary>
    /// The suite's candidates: the synthetic detector, or BlazeFace on WIDER FACE through the
    /// candidate cache (so reruns and every variant replay identical candidates).
    /// </summary>
    public static ICandidateSource CreateSource(Suite suite, string? root, string? modelsDir, string cacheRoot, Action<string>? onWarning)
    {
        var dataset = suite.Dataset;
        if (dataset.Kind == DatasetKind.Synthetic) return new SyntheticCandidateSource(checked((int)dataset.Seed), dataset.Images);

        var widerRoot = DataPaths.ResolveWiderFaceRoot(root ?? dataset.Root)
            ?? throw new UsageException($"suite {suite.Name} needs WIDER FACE: pass --root DIR or set {DataPaths.WiderFaceRootVariable} (fetch it with scripts/get-widerface.sh)");
        var (images, groundTruth) = WiderImageList.Load(widerRoot, dataset.Split, dataset.Events, dataset.MaxImages);
        var detector = suite.Detector ?? new DetectorSpec();
        var model = DetectorModel.Resolve(ModelName(detector.Model), modelsDir);
        var frontEnd = new Detectors.Input.FrontEndOptions
        {
            Mode = Detectors.Input.FrontEndOptions.ParseMode(detector.Mode),
            TileStride = detector.TileSize is { } size && detector.TileOverlap is { } overlap ? size - overlap : null,
        };
        var onnx = new OnnxCandidateSource(images, groundTruth, model, frontEnd);
        var cacheDir = Path.Combine(cacheRoot, CacheFolderName(onnx.Describe()));
        return new CachedCandidateSource(onnx, cacheDir, w => onWarning?.Invoke(w.ToString()));
    }

    /// <summary>The image list and ground truth alone (no model): what <c>merge</c> needs to evaluate.</summary>
    public static (IReadOnlyList<ImageRef> Images, GroundTruth GroundTruth) ResolveGroundTruth(Suite suite, string? root)
    {
        if (suite.Dataset.Kind == DatasetKind.Synthetic)
        {
            using var synthetic = new SyntheticCandidateSource(checked((int)suite.Dataset.Seed), suite.Dataset.Images);
            return (synthetic.Images, synthetic.GroundTruth);
        }
        var widerRoot = DataPaths.ResolveWiderFaceRoot(root ?? suite.Dataset.Root)
            ?? throw new UsageException($"suite {suite.Name} needs WIDER FACE: pass --root DIR or set {DataPaths.WiderFaceRootVariable}");
        var (images, groundTruth) = WiderImageList.Load(widerRoot, suite.Dataset.Split, suite.Dataset.Events, suite.Dataset.MaxImages);
        return (images, groundTruth);
    }

    /// <summary>
    /// One slot per requested backend. A required backend that cannot start is an error; an
    /// optional one (<c>gpu?</c>) becomes "n/a" with the reason, never a silent fallback.
    /// </summary>
    public static IReadOnlyList<BackendSlot> CreateBackends(Suite suite)
    {
        var slots = new List<BackendSlot>();
        foreach (var request in suite.Backends)
        {
            switch (request.Name)
            {
                case "scalar":
                    slots.Add(new BackendSlot("scalar", new ScalarBackend(), null));
                    break;
                case "simd":
                    slots.Add(new BackendSlot("simd", new SimdBackend(), null));
                    break;
                case "gpu":
                    var gpu = GpuBackend.TryCreate(out var reason);
                    if (gpu is null && !request.Optional) throw new UsageException($"backend gpu is required by suite {suite.Name} but unavailable: {reason} (write \"gpu?\" to make it optional)");
                    slots.Add(new BackendSlot("gpu", gpu, gpu is null ? reason : null));
                    break;
                default:
                    throw new UsageException($"suite {suite.Name}: unknown backend '{request.Name}' (known: scalar, simd, gpu)");
            }
        }
        return slots;
    }

    private static string ModelName(string model) => model.ToLowerInvariant() switch
    {
        "blazeface-back" => "back",
        "blazeface-front" => "front",
        _ => model,
    };

    private static string CacheFolderName(string description)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(description));
        return Convert.ToHexStringLower(hash)[..16];
    }
}
