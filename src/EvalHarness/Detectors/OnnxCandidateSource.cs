using EvalHarness.Datasets;
using EvalHarness.Detectors.Decoders;
using EvalHarness.Detectors.Input;
using EvalHarness.PostProcessing;
using EvalHarness.Sources;

namespace EvalHarness.Detectors;

/// <summary>
/// Candidates from running a real ONNX detector over dataset images. The images and ground truth
/// come from the caller (the dataset loader); the session is created on the first
/// <see cref="Load"/> so a fully cached run never touches ONNX Runtime. <see cref="Load"/> is
/// serialised: ONNX Runtime parallelises inside one inference (intra-op threads).
/// </summary>
public sealed class OnnxCandidateSource : ICandidateSource, IStageTimed
{
    private readonly DetectorModel _model;
    private readonly OnnxSessionOptions _sessionOptions;
    private readonly FrontEndOptions _frontEndOptions;
    private readonly object _gate = new();
    private OnnxDetector? _detector;
    private DetectorFrontEnd? _frontEnd;

    public OnnxCandidateSource(
        IReadOnlyList<ImageRef> images,
        GroundTruth groundTruth,
        DetectorModel model,
        FrontEndOptions? frontEnd = null,
        OnnxSessionOptions? session = null)
    {
        if (groundTruth.Images.Count != images.Count) throw new ArgumentException($"ground truth has {groundTruth.Images.Count} images, the image list {images.Count}", nameof(groundTruth));
        Images = images;
        GroundTruth = groundTruth;
        _model = model;
        _frontEndOptions = frontEnd ?? new FrontEndOptions();
        _sessionOptions = session ?? new OnnxSessionOptions();
        // validate the tile stride and scales now, not at the first image
        var largest = model.Decoder.LargestStride();
        if (_frontEndOptions.TileStride is { } stride) TileLayout.ValidateStride(stride, model.Decoder.Input.Width, model.Decoder.Input.Height, largest);
    }

    public IReadOnlyList<ImageRef> Images { get; }
    public GroundTruth GroundTruth { get; }
    public DetectorModel Model => _model;

    /// <summary>Model file hash, decoder and front-end parameters: everything that changes the candidates.</summary>
    public string Describe() =>
        $"onnx(model={Path.GetFileName(_model.ModelPath)},sha256={_model.Sha256},decoder={_model.Decoder.Describe()},mode={_frontEndOptions.Describe(_model.Decoder)}{ProviderSuffix})";

    // GPU kernels round differently from the CPU ones, so their candidates are cached apart
    private string ProviderSuffix => _sessionOptions.Provider == ExecutionProvider.Cpu ? "" : $",provider={_sessionOptions.Provider.ToString().ToLowerInvariant()}";

    public StageTimings LastTimings { get; private set; }

    public void Load(int index, CandidateMap map, CancellationToken cancellationToken = default)
    {
        var image = Images[index];
        if (image.Path is null) throw new IO.DataFormatException($"{image.Event}/{image.ImageKey}", 0, "image has no file path");
        lock (_gate)
        {
            var frontEnd = OpenLocked();
            _detector!.ResetTimings();
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            frontEnd.Detect(image.Path, map, cancellationToken);
            var total = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            // "decode" is everything around the model: JPEG decode, resize, tensor filling, stitching
            LastTimings = new StageTimings(total - _detector.InferenceMs - _detector.DecodeMs, _detector.InferenceMs, _detector.DecodeMs);
        }
        map.Event = image.Event;
        map.ImageKey = image.ImageKey;
    }

    /// <summary>Creates the ONNX Runtime session now (it is otherwise created by the first <see cref="Load"/>), so a bad model or an unavailable provider fails before any work.</summary>
    public void Open()
    {
        lock (_gate) OpenLocked();
    }

    private DetectorFrontEnd OpenLocked()
    {
        if (_frontEnd is null)
        {
            _detector = new OnnxDetector(_model, _sessionOptions);
            _frontEnd = new DetectorFrontEnd(_detector, _frontEndOptions);
        }
        return _frontEnd;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _detector?.Dispose();
            _detector = null;
            _frontEnd = null;
        }
    }
}
