using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using EvalHarness.Detectors.Decoders;
using EvalHarness.IO;

namespace EvalHarness.Detectors;

/// <summary>
/// A model file plus the decoder that reads its outputs. <see cref="Resolve"/> understands the
/// CLI's <c>--model</c> values: <c>back</c> / <c>front</c> (the BlazeFace models that
/// scripts/get-models.sh installs), a path to a BlazeFace-style <c>.onnx</c>, or a path to a
/// <c>.json</c> detector config for a user's own model (see <see cref="DetectorConfigFile"/>).
/// </summary>
public sealed class DetectorModel
{
    public const string BackFileName = "face_detection_back_256x256_barracuda.onnx";
    public const string FrontFileName = "face_detection_front_128x128_barracuda.onnx";
    public const string FetchScript = "scripts/get-models.sh";

    public string ModelPath { get; }
    public IDetectionDecoder Decoder { get; }

    public DetectorModel(string modelPath, IDetectionDecoder decoder)
    {
        if (!File.Exists(modelPath)) throw new ModelException($"model file not found: {modelPath} (run {FetchScript} to fetch the BlazeFace models)");
        ModelPath = Path.GetFullPath(modelPath);
        Decoder = decoder;
    }

    private string? _sha256;

    /// <summary>SHA-256 of the model file (hex), computed once; part of every cache manifest.</summary>
    public string Sha256
    {
        get
        {
            if (_sha256 is null)
            {
                using var stream = File.OpenRead(ModelPath);
                _sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
            }
            return _sha256;
        }
    }

    public static DetectorModel BlazeFaceBack(string? modelsDir = null) => BuiltIn(BackFileName, 256, modelsDir);

    public static DetectorModel BlazeFaceFront(string? modelsDir = null) => BuiltIn(FrontFileName, 128, modelsDir);

    /// <summary><c>back</c>, <c>front</c>, a <c>.json</c> detector config, or a BlazeFace <c>.onnx</c> whose input size is given by <paramref name="blazeFaceInputSize"/> (default: read from the file name, e.g. <c>_256x256</c>, else 256).</summary>
    public static DetectorModel Resolve(string model, string? modelsDir = null, int? blazeFaceInputSize = null)
    {
        switch (model.Trim().ToLowerInvariant())
        {
            case "back": return BlazeFaceBack(modelsDir);
            case "front": return BlazeFaceFront(modelsDir);
        }
        if (FaceApi.FaceApiImporter.TryParse(model) is { } faceApi) return FaceApiModel(faceApi, modelsDir);
        if (model.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return DetectorConfigFile.Load(model);
        if (!File.Exists(model)) throw new UsageException($"--model: '{model}' is neither back, front, faceapi-ssd, faceapi-tiny, a .json detector config nor an existing .onnx file");
        return new DetectorModel(model, new BlazeFaceDecoder(blazeFaceInputSize ?? GuessInputSize(model)));
    }

    /// <summary>face-api's SSD MobileNet V1 or Tiny Face Detector, imported to ONNX by <c>model import</c> (scripts/get-models.sh runs it).</summary>
    public static DetectorModel FaceApiModel(FaceApi.FaceApiModelKind kind, string? modelsDir = null)
    {
        var dir = modelsDir ?? DataPaths.ResolveModelsDir(null);
        var path = Path.Combine(dir, FaceApi.FaceApiImporter.OnnxFileName(kind));
        if (!File.Exists(path))
        {
            throw new ModelException($"model not found: {path}; run {FetchScript} (it fetches {FaceApi.FaceApiImporter.PackageVersion} and runs `evalharness model import {FaceApi.FaceApiImporter.Name(kind)}`)");
        }
        return new DetectorModel(path, FaceApi.FaceApiImporter.CreateDecoder(kind));
    }

    private static int GuessInputSize(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        return name.Contains("128x128", StringComparison.Ordinal) ? 128 : 256;
    }

    private static DetectorModel BuiltIn(string fileName, int inputSize, string? modelsDir)
    {
        var dir = modelsDir ?? DataPaths.ResolveModelsDir(null);
        var path = Path.Combine(dir, fileName);
        if (!File.Exists(path)) throw new ModelException($"model not found: {path}; run {FetchScript} (or set {DataPaths.ModelsDirVariable})");
        return new DetectorModel(path, new BlazeFaceDecoder(inputSize));
    }
}

/// <summary>
/// A small JSON file that lets users bring their own ONNX detector. Paths are relative to the
/// JSON file. Example (RetinaFace-MobileNet exported from Pytorch_Retinaface):
/// <code>
/// { "model": "retinaface_mnet.onnx", "decoder": "ssd",
///   "input": { "name": "input", "width": 640, "height": 640, "layout": "nchw", "channels": "bgr",
///              "mean": [104, 117, 123], "std": [1, 1, 1], "pad": 0 },
///   "ssd": { "loc": "loc", "conf": "conf", "landmarks": "landms", "landmarkCount": 5,
///            "steps": [8, 16, 32], "minSizes": [[16, 32], [64, 128], [256, 512]],
///            "variances": [0.1, 0.2], "activation": "softmax", "classes": 2, "faceClass": 1 } }
/// </code>
/// <c>"decoder": "blazeface"</c> with <c>"inputSize": 128|256</c> selects the BlazeFace decoder.
/// </summary>
internal static class DetectorConfigFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static DetectorModel Load(string jsonPath)
    {
        if (!File.Exists(jsonPath)) throw new UsageException($"detector config not found: {jsonPath}");
        ConfigDto dto;
        try
        {
            dto = JsonSerializer.Deserialize<ConfigDto>(File.ReadAllText(jsonPath), Json)
                ?? throw new DataFormatException(jsonPath, 0, "empty detector config");
        }
        catch (JsonException ex)
        {
            throw new DataFormatException(jsonPath, (int)(ex.LineNumber ?? -1) + 1, $"invalid detector config: {ex.Message}", ex);
        }
        if (string.IsNullOrWhiteSpace(dto.Model)) throw new DataFormatException(jsonPath, 0, "detector config needs \"model\" (path to the .onnx file)");
        var modelPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(jsonPath))!, dto.Model);
        return new DetectorModel(modelPath, CreateDecoder(jsonPath, dto));
    }

    private static IDetectionDecoder CreateDecoder(string jsonPath, ConfigDto dto)
    {
        switch ((dto.Decoder ?? "").ToLowerInvariant())
        {
            case "blazeface":
                return new BlazeFaceDecoder(dto.InputSize ?? 256);
            case "ssd":
                var i = dto.Input ?? throw new DataFormatException(jsonPath, 0, "an ssd detector config needs \"input\"");
                var s = dto.Ssd ?? throw new DataFormatException(jsonPath, 0, "an ssd detector config needs \"ssd\"");
                if (string.IsNullOrEmpty(i.Name) || i.Width <= 0 || i.Height <= 0) throw new DataFormatException(jsonPath, 0, "input needs name, width and height");
                if (s.Loc is null || s.Conf is null || s.Steps is null || s.MinSizes is null) throw new DataFormatException(jsonPath, 0, "ssd needs loc, conf, steps and minSizes");
                var input = new ModelInputSpec(i.Name, i.Width, i.Height, i.Layout, i.Channels, Three(jsonPath, i.Mean, 0f, "mean"), Three(jsonPath, i.Std, 1f, "std"), i.Pad);
                try
                {
                    return new SsdPriorBoxDecoder(input, new SsdDecoderOptions
                    {
                        LocOutput = s.Loc,
                        ConfOutput = s.Conf,
                        LandmarkOutput = s.Landmarks,
                        LandmarkCount = s.LandmarkCount,
                        Steps = s.Steps,
                        MinSizes = s.MinSizes,
                        CenterVariance = s.Variances is { Length: 2 } ? s.Variances[0] : 0.1f,
                        SizeVariance = s.Variances is { Length: 2 } ? s.Variances[1] : 0.2f,
                        Activation = s.Activation,
                        Classes = s.Classes,
                        FaceClass = s.FaceClass,
                    });
                }
                catch (ArgumentException ex)
                {
                    throw new DataFormatException(jsonPath, 0, ex.Message, ex);
                }
            default:
                throw new DataFormatException(jsonPath, 0, $"unknown decoder '{dto.Decoder}' (expected blazeface or ssd)");
        }
    }

    private static float[] Three(string jsonPath, float[]? values, float fallback, string what)
    {
        if (values is null) return [fallback, fallback, fallback];
        if (values.Length != 3) throw new DataFormatException(jsonPath, 0, $"input.{what} needs 3 values, got {values.Length}");
        return values;
    }

    private sealed class ConfigDto
    {
        public string? Model { get; set; }
        public string? Decoder { get; set; }
        public int? InputSize { get; set; }
        public InputDto? Input { get; set; }
        public SsdDto? Ssd { get; set; }
    }

    private sealed class InputDto
    {
        public string Name { get; set; } = "";
        public int Width { get; set; }
        public int Height { get; set; }
        public TensorLayout Layout { get; set; } = TensorLayout.Nchw;
        public ChannelOrder Channels { get; set; } = ChannelOrder.Rgb;
        public float[]? Mean { get; set; }
        public float[]? Std { get; set; }
        public float Pad { get; set; }
    }

    private sealed class SsdDto
    {
        public string? Loc { get; set; }
        public string? Conf { get; set; }
        public string? Landmarks { get; set; }
        public int LandmarkCount { get; set; }
        public int[]? Steps { get; set; }
        public float[][]? MinSizes { get; set; }
        public float[]? Variances { get; set; }
        public ScoreActivation Activation { get; set; } = ScoreActivation.Softmax;
        public int Classes { get; set; } = 2;
        public int FaceClass { get; set; } = 1;
    }
}
