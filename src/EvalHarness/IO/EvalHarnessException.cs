namespace EvalHarness.IO;

/// <summary>
/// The harness's own error: every failure a user can cause (bad file, bad model, bad option)
/// surfaces as one of these, with a message that names what was wrong and where. The CLI
/// prints <see cref="Exception.Message"/> on one line and exits non-zero; anything else
/// escaping is a bug in the harness.
/// </summary>
public class EvalHarnessException : Exception
{
    public EvalHarnessException(string message) : base(message) { }
    public EvalHarnessException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A malformed input file; <see cref="Line"/> is 1-based, 0 when the whole file is at fault.</summary>
internal sealed class DataFormatException : EvalHarnessException
{
    public string FilePath { get; }
    public int Line { get; }

    public DataFormatException(string filePath, int line, string problem)
        : base(line > 0 ? $"{filePath}:{line}: {problem}" : $"{filePath}: {problem}")
    {
        FilePath = filePath;
        Line = line;
    }

    public DataFormatException(string filePath, int line, string problem, Exception inner)
        : base(line > 0 ? $"{filePath}:{line}: {problem}" : $"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
        Line = line;
    }
}

/// <summary>A model whose inputs, outputs or values do not match what its decoder expects.</summary>
internal sealed class ModelException : EvalHarnessException
{
    public ModelException(string message) : base(message) { }
    public ModelException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A bad option, parameter or suite value given by the user.</summary>
public sealed class UsageException : EvalHarnessException
{
    public UsageException(string message) : base(message) { }
}
