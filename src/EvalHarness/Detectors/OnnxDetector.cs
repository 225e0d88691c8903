using EvalHarness.Detectors.Decoders;
using EvalHarness.IO;
using EvalHarness.PostProcessing;
using Microsoft.ML.OnnxRuntime;

namespace EvalHarness.Detectors;

public enum ExecutionProvider
{
    Cpu,
    Cuda,
}

/// <summary>ONNX Runtime session settings.</summary>
public sealed record OnnxSessionOptions
{
    /// <summary>Intra-op threads; 0 lets ONNX Runtime choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;
    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Cpu;
    public int CudaDeviceId { get; init; }
}

/// <summary>
/// One ONNX Runtime session for one <see cref="DetectorModel"/>: checks at load that the model's
/// input and outputs are what the decoder expects, then runs one network input at a time and
/// decodes it into a candidate map in network-input pixels. Not thread-safe (it reuses buffers).
/// </summary>
internal sealed class OnnxDetector : IDisposable
{
    private readonly InferenceSession _session;
    private readonly IDetectionDecoder _decoder;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly float[][] _outputBuffers;
    private readonly long[] _inputShape;
    private readonly RunOptions _runOptions = new();

    public DetectorModel Model { get; }
    public IDetectionDecoder Decoder => _decoder;

    /// <summary>A reusable input buffer in the model's layout; fill it, then call <see cref="Run"/>.</summary>
    public float[] InputBuffer { get; }

    public OnnxDetector(DetectorModel model, OnnxSessionOptions? options = null)
    {
        options ??= new OnnxSessionOptions();
        Model = model;
        _decoder = model.Decoder;
        using var sessionOptions = CreateSessionOptions(options);
        try
        {
            _session = new InferenceSession(model.ModelPath, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelException($"{model.ModelPath}: not a loadable ONNX model ({FirstLine(ex.Message)})", ex);
        }
        var valid = false;
        try
        {
            Validate(model.ModelPath, _session, _decoder);
            valid = true;
        }
        finally
        {
            if (!valid) _session.Dispose();
        }
        _inputNames = [_decoder.Input.Name];
        _outputNames = _decoder.Outputs.Select(o => o.Name).ToArray();
        _outputBuffers = _decoder.Outputs.Select(o => new float[o.ElementCount]).ToArray();
        _inputShape = _decoder.Input.Shape;
        InputBuffer = new float[_decoder.Input.ElementCount];
    }

    private static SessionOptions CreateSessionOptions(OnnxSessionOptions options)
    {
        var so = new SessionOptions
        {
            GraphOptimizationLevel = options.OptimizationLevel,
            IntraOpNumThreads = Math.Max(0, options.IntraOpThreads),
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            // the Barracuda exports carry unused initialisers; ORT's warnings about them are noise
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (options.Provider == ExecutionProvider.Cuda)
        {
            try
            {
                so.AppendExecutionProvider_CUDA(options.CudaDeviceId);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                so.Dispose();
                throw new ModelException($"the CUDA execution provider is not available ({FirstLine(ex.Message)}); the Microsoft.ML.OnnxRuntime package is CPU-only, use the CPU provider or a GPU build of ONNX Runtime", ex);
            }
        }
        return so;
    }

    /// <summary>Fails with the tensor name and both shapes when the model does not match the decoder.</summary>
    internal static void Validate(string modelPath, InferenceSession session, IDetectionDecoder decoder)
    {
        var input = decoder.Input;
        if (!session.InputMetadata.TryGetValue(input.Name, out var inMeta))
        {
            throw new ModelException($"{modelPath}: expected input tensor '{input.Name}', the model has [{string.Join(", ", session.InputMetadata.Keys)}]");
        }
        CheckTensor(modelPath, "input", input.Name, inMeta, input.Shape.Select(d => (int)d).ToArray());
        foreach (var output in decoder.Outputs)
        {
            if (!session.OutputMetadata.TryGetValue(output.Name, out var outMeta))
            {
                throw new ModelException($"{modelPath}: expected output tensor '{output.Name}', the model has [{string.Join(", ", session.OutputMetadata.Keys)}]");
            }
            CheckTensor(modelPath, "output", output.Name, outMeta, output.Shape);
        }
    }

    private static void CheckTensor(string modelPath, string role, string name, NodeMetadata meta, int[] expected)
    {
        if (!meta.IsTensor || meta.ElementType != typeof(float))
        {
            throw new ModelException($"{modelPath}: {role} tensor '{name}' must be float32, the model has {meta.ElementType.Name}");
        }
        var actual = meta.Dimensions;
        var ok = actual.Length == expected.Length;
        for (var i = 0; ok && i < actual.Length; i++)
        {
            // a dynamic axis in the model (≤ 0) or in the expectation (−1) matches anything
            ok = actual[i] <= 0 || expected[i] < 0 || actual[i] == expected[i];
        }
        if (!ok)
        {
            throw new ModelException($"{modelPath}: {role} tensor '{name}' has shape {FormatShape(actual)}, expected {FormatShape(expected)}");
        }
    }

    internal static string FormatShape(IEnumerable<int> dims) => "[" + string.Join(", ", dims.Select(d => d <= 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

    /// <summary>Runs the model on <see cref="InputBuffer"/> and decodes into <paramref name="map"/> (reshaped to the decoder's levels).</summary>
    public void Run(CandidateMap map)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        using (var input = OrtValue.CreateTensorValueFromMemory(InputBuffer, _inputShape))
        using (var results = _session.Run(_runOptions, _inputNames, [input], _outputNames))
        {
            for (var i = 0; i < _outputNames.Length; i++)
            {
                var data = results[i].GetTensorDataAsSpan<float>();
                if (data.Length != _outputBuffers[i].Length)
                {
                    throw new ModelException($"{Model.ModelPath}: output tensor '{_outputNames[i]}' returned {data.Length} values, expected {_outputBuffers[i].Length}");
                }
                data.CopyTo(_outputBuffers[i]);
            }
        }
        var inferred = System.Diagnostics.Stopwatch.GetTimestamp();
        map.ResetForDecoder(_decoder);
        _decoder.Decode(_outputBuffers, map);
        InferenceMs += System.Diagnostics.Stopwatch.GetElapsedTime(start, inferred).TotalMilliseconds;
        DecodeMs += System.Diagnostics.Stopwatch.GetElapsedTime(inferred).TotalMilliseconds;
    }

    /// <summary>Wall time spent in the ONNX session since <see cref="ResetTimings"/> (all tiles of an image add up).</summary>
    public double InferenceMs { get; private set; }

    /// <summary>Wall time spent decoding raw outputs into candidates since <see cref="ResetTimings"/>.</summary>
    public double DecodeMs { get; private set; }

    public void ResetTimings()
    {
        InferenceMs = 0;
        DecodeMs = 0;
    }

    private static string FirstLine(string message)
    {
        var newline = message.IndexOf('\n');
        return (newline < 0 ? message : message[..newline]).Trim();
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }
}
