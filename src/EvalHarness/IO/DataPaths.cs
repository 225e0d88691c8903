namespace EvalHarness.IO;

/// <summary>Where external data lives: an explicit option wins, then an environment variable.</summary>
public static class DataPaths
{
    public const string WiderFaceRootVariable = "WIDERFACE_ROOT";
    public const string PredictionsRootVariable = "WIDERFACE_PREDICTIONS";
    public const string ModelsDirVariable = "EVALHARNESS_MODELS";

    public static string? ResolveWiderFaceRoot(string? option) =>
        FirstNonEmpty(option, Environment.GetEnvironmentVariable(WiderFaceRootVariable));

    /// <summary>The models folder: option, then <c>EVALHARNESS_MODELS</c>, then <c>models/</c> beside the repository root or the working directory.</summary>
    public static string ResolveModelsDir(string? option)
    {
        var explicitDir = FirstNonEmpty(option, Environment.GetEnvironmentVariable(ModelsDirVariable));
        if (explicitDir is not null) return explicitDir;
        var repoRoot = FindRepositoryRoot(AppContext.BaseDirectory) ?? FindRepositoryRoot(Directory.GetCurrentDirectory());
        return Path.Combine(repoRoot ?? Directory.GetCurrentDirectory(), "models");
    }

    /// <summary>Walks up from <paramref name="start"/> to the folder that holds EvalHarness.sln.</summary>
    public static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EvalHarness.sln"))) return dir.FullName;
        }
        return null;
    }

    private static string? FirstNonEmpty(params string?[] values)
    {
        foreach (var value in values)
        {
            if (!string.IsNullOrWhiteSpace(value)) return value;
        }
        return null;
    }
}
