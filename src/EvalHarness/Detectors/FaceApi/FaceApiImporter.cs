using System.Security.Cryptography;
using EvalHarness.IO;

namespace EvalHarness.Detectors.FaceApi;

public enum FaceApiModelKind
{
    /// <summary>SSD MobileNet V1 (<c>ssd_mobilenetv1_model</c>), input 512.</summary>
    Ssd,
    /// <summary>Tiny Face Detector (<c>tiny_face_detector_model</c>), input 416.</summary>
    Tiny,
}

/// <summary>What one import wrote.</summary>
public sealed record FaceApiImportResult(FaceApiModelKind Kind, string OnnxPath, string Sha256, long Bytes, bool MatchesPinnedChecksum);

/// <summary>
/// <c>evalharness model import faceapi-ssd|faceapi-tiny</c>: reads face-api 1.7.15's tfjs weights
/// (the manifest and .bin that scripts/get-models.sh keeps in models/) and writes the ONNX graph
/// beside them (opset 13, NCHW). The bytes depend only on the weights, so the checksum is pinned
/// here; a different checksum means different weights or a changed importer. The ONNX file is
/// written atomically after the whole graph is built: a bad manifest leaves nothing behind.
/// </summary>
public static class FaceApiImporter
{
    public const string SsdName = "faceapi-ssd";
    public const string TinyName = "faceapi-tiny";
    public const string PackageVersion = "@vladmandic/face-api@1.7.15";
    public const long Opset = OnnxGraphWriter.Opset;

    public static string ManifestFileName(FaceApiModelKind kind) => kind == FaceApiModelKind.Ssd
        ? "ssd_mobilenetv1_model-weights_manifest.json"
        : "tiny_face_detector_model-weights_manifest.json";

    public static string OnnxFileName(FaceApiModelKind kind) => kind == FaceApiModelKind.Ssd
        ? "faceapi_ssd_mobilenetv1.onnx"
        : "faceapi_tiny_face_detector.onnx";

    /// <summary>SHA-256 of the ONNX file this importer writes from the pinned face-api 1.7.15 weights.</summary>
    public static string PinnedSha256(FaceApiModelKind kind) => kind == FaceApiModelKind.Ssd
        ? "54697ab03d06e5d6195dec1aff1a1cd1cab9d1eff6a820179a5c3b2189197d85"
        : "529b708c5e5ac4d44ca4826a0fe9e3d5b44eeafc83c4b36e88f5231370af0933";

    public static string Name(FaceApiModelKind kind) => kind == FaceApiModelKind.Ssd ? SsdName : TinyName;

    public static FaceApiModelKind? TryParse(string name) => name.Trim().ToLowerInvariant() switch
    {
        SsdName => FaceApiModelKind.Ssd,
        TinyName => FaceApiModelKind.Tiny,
        _ => null,
    };

    public static FaceApiDecoder CreateDecoder(FaceApiModelKind kind) =>
        kind == FaceApiModelKind.Ssd ? new FaceApiSsdDecoder() : new FaceApiTinyDecoder();

    /// <summary>Builds the ONNX bytes from the manifest in <paramref name="modelsDir"/> (nothing is written).</summary>
    public static byte[] Build(FaceApiModelKind kind, string modelsDir)
    {
        var manifest = Path.Combine(modelsDir, ManifestFileName(kind));
        if (!File.Exists(manifest))
        {
            throw new ModelException($"{manifest} not found: run {DetectorModel.FetchScript} (it fetches {PackageVersion} and imports both detectors)");
        }
        var weights = TfjsWeights.Load(manifest);
        var graph = kind == FaceApiModelKind.Ssd ? FaceApiGraphs.BuildSsd(weights) : FaceApiGraphs.BuildTiny(weights);
        var decoder = CreateDecoder(kind);
        var doc = $"face-api {PackageVersion} {Path.GetFileNameWithoutExtension(weights.BinPath)} imported by EvalHarness from its tfjs weights " +
                  $"(manifest sha256 {Sha256Of(File.ReadAllBytes(manifest))}, weights sha256 {Sha256Of(File.ReadAllBytes(weights.BinPath))}); " +
                  $"opset {OnnxGraphWriter.Opset}; input '{FaceApiGraphs.InputName}' NCHW [1,3,{decoder.InputSize},{decoder.InputSize}] RGB normalised as face-api does; " +
                  $"outputs {string.Join(", ", decoder.Outputs.Select(o => $"'{o.Name}' {OnnxDetector.FormatShape(o.Shape)}"))} (raw, decoded by EvalHarness). " +
                  "See shared/spec/faceapi-detectors.md.";
        return graph.ToBytes("EvalHarness faceapi importer", doc);
    }

    /// <summary>Builds and writes <see cref="OnnxFileName"/> into <paramref name="outputDir"/> (default: <paramref name="modelsDir"/>).</summary>
    public static FaceApiImportResult Import(FaceApiModelKind kind, string modelsDir, string? outputDir = null)
    {
        var bytes = Build(kind, modelsDir);
        var path = Path.Combine(outputDir ?? modelsDir, OnnxFileName(kind));
        AtomicFile.WriteAllBytes(path, bytes);
        var sha = Sha256Of(bytes);
        return new FaceApiImportResult(kind, Path.GetFullPath(path), sha, bytes.Length, sha == PinnedSha256(kind));
    }

    internal static string Sha256Of(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
