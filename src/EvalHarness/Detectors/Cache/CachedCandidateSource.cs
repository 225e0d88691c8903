using EvalHarness.Datasets;
using EvalHarness.PostProcessing;
using EvalHarness.Sources;

namespace EvalHarness.Detectors.Cache;

/// <summary>
/// Wraps a candidate source with a <see cref="CandidateCache"/>: a valid entry is replayed, a
/// missing one is computed by the inner source and written, and an unusable one (corrupt,
/// truncated, other version or parameters) is reported through <c>onWarning</c> and
/// <see cref="Warnings"/>, then recomputed and overwritten; it is never used.
/// </summary>
internal sealed class CachedCandidateSource : ICandidateSource, IStageTimed
{
    private readonly ICandidateSource _inner;
    private readonly Action<CacheWarning>? _onWarning;
    private readonly List<CacheWarning> _warnings = [];
    private int _hits;
    private int _computed;

    public CachedCandidateSource(ICandidateSource inner, string directory, Action<CacheWarning>? onWarning = null, bool ownsInner = true)
    {
        _inner = inner;
        _onWarning = onWarning;
        OwnsInner = ownsInner;
        Cache = new CandidateCache(directory, inner.Describe());
        // A killed detect or run leaves the temporaries of the entries it was writing. A cache may be
        // shared by machines (shards), whose process ids mean nothing here, hence the age bound.
        IO.AtomicFile.RemoveStaleTemporaries(Cache.Directory, recursive: true, minimumAge: TimeSpan.FromMinutes(10));
        var details = new Dictionary<string, string> { ["images"] = inner.Images.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (inner is OnnxCandidateSource onnx)
        {
            details["modelSha256"] = onnx.Model.Sha256;
            details["model"] = onnx.Model.ModelPath;
            details["decoder"] = onnx.Model.Decoder.Describe();
        }
        var problem = Cache.WriteManifest(details);
        if (problem is not null) Report(new CacheWarning(Path.Combine(Cache.Directory, CandidateCache.ManifestFileName), problem));
    }

    public CandidateCache Cache { get; }
    public bool OwnsInner { get; }
    public int Hits => _hits;
    public int Computed => _computed;

    public IReadOnlyList<CacheWarning> Warnings
    {
        get
        {
            lock (_warnings) return _warnings.ToArray();
        }
    }

    public string Describe() => _inner.Describe();
    public IReadOnlyList<ImageRef> Images => _inner.Images;
    public GroundTruth GroundTruth => _inner.GroundTruth;

    /// <summary>The inner source's stage times when it computed the map; zero for a cache hit (nothing ran).</summary>
    public StageTimings LastTimings { get; private set; }

    public void Load(int index, CandidateMap map, CancellationToken cancellationToken = default)
    {
        var image = _inner.Images[index];
        var imageHash = HashOrNull(image);
        switch (Cache.TryRead(image.Event, image.ImageKey, map, out var problem, imageHash))
        {
            case CacheLookup.Hit:
                Interlocked.Increment(ref _hits);
                LastTimings = default;
                return;
            case CacheLookup.Invalid:
                Report(new CacheWarning(Cache.EntryPath(image.Event, image.ImageKey), problem + "; recomputing"));
                break;
        }
        _inner.Load(index, map, cancellationToken);
        LastTimings = _inner is IStageTimed timed ? timed.LastTimings : default;
        // the entry is keyed by the image list, whatever the inner source wrote into the map
        map.Event = image.Event;
        map.ImageKey = image.ImageKey;
        // the hash of the bytes before the load: a file replaced meanwhile gets recomputed next time, never mislabelled
        Cache.Write(map, imageHash);
        Interlocked.Increment(ref _computed);
    }

    /// <summary>The image file's content hash; null when it has no file, or when the file cannot be read (the inner source then reports why).</summary>
    private static byte[]? HashOrNull(ImageRef image)
    {
        if (image.Path is null) return null;
        try
        {
            return CandidateCache.HashImage(image.Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void Report(CacheWarning warning)
    {
        lock (_warnings) _warnings.Add(warning);
        _onWarning?.Invoke(warning);
    }

    public void Dispose()
    {
        if (OwnsInner) _inner.Dispose();
    }
}
