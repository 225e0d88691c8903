using BenchmarkDotNet.Attributes;
using EvalHarness.Datasets;
using EvalHarness.IO;
using EvalHarness.Metrics;

namespace EvalHarness.Benchmarks;

/// <summary>
/// WIDER FACE val evaluation of the public RetinaFace dump (3226 files, 346k lines): reading the
/// folder, and the whole python-protocol evaluation (read + normalise + 3 settings). Needs
/// WIDERFACE_ROOT and WIDERFACE_PREDICTIONS. Run:
/// <c>dotnet run -c Release --project src/EvalHarness.Benchmarks -- --filter '*EvaluationBenchmarks*'</c>
/// </summary>
[MemoryDiagnoser]
[WarmupCount(2)]
[IterationCount(8)]
public class EvaluationBenchmarks
{
    private GroundTruth _groundTruth = null!;
    private PredictionSet _predictions = null!;
    private string _predictionDir = "";

    [GlobalSetup]
    public void Setup()
    {
        var root = DataPaths.ResolveWiderFaceRoot(null) ?? throw new InvalidOperationException("set WIDERFACE_ROOT");
        var predictions = Environment.GetEnvironmentVariable(DataPaths.PredictionsRootVariable) ?? throw new InvalidOperationException("set WIDERFACE_PREDICTIONS");
        _predictionDir = Path.Combine(predictions, "retinaface-mnet0.25-selftrained");
        _groundTruth = WiderGroundTruthLoader.Load(root);
        _predictions = PredictionFolderReader.ReadPython(_predictionDir, lenient: false, new List<string>());
    }

    [Benchmark]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "BenchmarkDotNet measures instance methods")]
    public GroundTruth LoadGroundTruth() => WiderGroundTruthLoader.Load(DataPaths.ResolveWiderFaceRoot(null)!);

    [Benchmark]
    public PredictionSet ReadFolder_Python() => PredictionFolderReader.ReadPython(_predictionDir, lenient: false, new List<string>());

    [Benchmark]
    public double Evaluate_InMemory_Python() => WiderFaceEvaluator.Evaluate(_groundTruth, _predictions, EvalOptions.Default)[Setting.Hard].Ap;

    [Benchmark(Baseline = true)]
    public double EvaluateFolder_Python() => WiderFaceEvaluator.EvaluateFolder(_groundTruth, _predictionDir, EvalOptions.Default)[Setting.Hard].Ap;

    [Benchmark]
    public double EvaluateFolder_Matlab() => WiderFaceEvaluator.EvaluateFolder(_groundTruth, _predictionDir, new EvalOptions { Protocol = EvalProtocol.Matlab })[Setting.Hard].Ap;

    [Benchmark]
    public double ApWithWeights_Hard() => _bootstrapResult.Records.ApWithWeights(Setting.Hard, _ones);

    private EvaluationResult _bootstrapResult = null!;
    private int[] _ones = [];

    [GlobalSetup(Target = nameof(ApWithWeights_Hard))]
    public void SetupWeights()
    {
        Setup();
        _bootstrapResult = WiderFaceEvaluator.Evaluate(_groundTruth, _predictions, EvalOptions.Default);
        _ones = Enumerable.Repeat(1, _bootstrapResult.ImageCount).ToArray();
    }
}
