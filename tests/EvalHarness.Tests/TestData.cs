using EvalHarness.IO;

namespace EvalHarness.Tests;

/// <summary>
/// Locates the real WIDER FACE sample for tests: <c>WIDERFACE_ROOT</c> (and
/// <c>WIDERFACE_PREDICTIONS</c>), else <c>../shared/…</c> beside the repository. When it is absent
/// a test is skipped on a developer machine but fails under CI, so a CI run can never pass on
/// skipped data tests.
/// </summary>
internal static class TestData
{
    public static string? WiderFaceRootOrNull()
    {
        var fromEnv = DataPaths.ResolveWiderFaceRoot(null);
        if (fromEnv is not null) return Directory.Exists(fromEnv) ? fromEnv : null;
        return BesideRepo("shared", "widerface");
    }

    public static string? PredictionsRootOrNull()
    {
        var fromEnv = Environment.GetEnvironmentVariable(DataPaths.PredictionsRootVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv)) return Directory.Exists(fromEnv) ? fromEnv : null;
        return BesideRepo("shared", "predictions");
    }

    public static string WiderFaceRoot => Require(WiderFaceRootOrNull(), DataPaths.WiderFaceRootVariable);

    public static string PredictionsRoot => Require(PredictionsRootOrNull(), DataPaths.PredictionsRootVariable);

    /// <summary>The models folder with the BlazeFace ONNX files (scripts/get-models.sh fills it).</summary>
    public static string ModelsDir
    {
        get
        {
            var dir = DataPaths.ResolveModelsDir(null);
            return Require(File.Exists(Path.Combine(dir, "face_detection_back_256x256_barracuda.onnx")) ? dir : null, DataPaths.ModelsDirVariable + " (run scripts/get-models.sh)");
        }
    }

    public static string FixturePath(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    private static string Require(string? path, string what)
    {
        if (path is not null) return path;
        var message = $"test data not found: set {what}";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message + " (CI must provide it)");
        }
        Assert.Skip(message);
        return null!;
    }

    private static string? BesideRepo(params string[] parts)
    {
        var repo = DataPaths.FindRepositoryRoot(AppContext.BaseDirectory);
        if (repo is null) return null;
        var path = Path.Combine([Path.GetDirectoryName(repo)!, .. parts]);
        return Directory.Exists(path) ? path : null;
    }
}
