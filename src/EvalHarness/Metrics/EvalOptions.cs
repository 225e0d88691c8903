namespace EvalHarness.Metrics;

/// <summary>Which published evaluator to reproduce; see the evaluation spec.</summary>
public enum EvalProtocol
{
    /// <summary>The public Python port (bit-exact target): file order, global min-max from (0, 1), crashes become errors.</summary>
    Python,

    /// <summary>The official MATLAB eval_tools: files looked up from the ground truth, boxes sorted by score, true min-max.</summary>
    Matlab,
}

public sealed record EvalOptions
{
    public EvalProtocol Protocol { get; init; } = EvalProtocol.Python;

    /// <summary>Python protocol only: a file the port would crash on is read with the matlab rules (with a warning) instead of stopping.</summary>
    public bool Lenient { get; init; }

    /// <summary>Worker threads for reading and per-image evaluation (null: all cores). The result does not depend on it.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    public static EvalOptions Default { get; } = new();

    public static EvalProtocol ParseProtocol(string value) => value.ToLowerInvariant() switch
    {
        "python" => EvalProtocol.Python,
        "matlab" => EvalProtocol.Matlab,
        _ => throw new IO.UsageException($"unknown protocol '{value}': expected python or matlab"),
    };
}
