namespace EvalHarness.Sources;

/// <summary>Wall time of the front-end stages for one image (0 when a stage did not run, e.g. replayed from cache).</summary>
public readonly record struct StageTimings(double DecodeMs, double InferenceMs, double DenseDecodeMs);

/// <summary>A candidate source that can say how long each front-end stage of its last <c>Load</c> took.</summary>
internal interface IStageTimed
{
    StageTimings LastTimings { get; }
}
