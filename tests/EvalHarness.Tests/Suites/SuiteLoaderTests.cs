using CsCheck;
using EvalHarness.IO;
using EvalHarness.PostProcessing;
using EvalHarness.Suites;

namespace EvalHarness.Tests.Suites;

public class SuiteLoaderTests
{
    [Fact]
    public void Built_in_suites_load_and_cover_every_variant()
    {
        Assert.Equal(["quick", "widerface-val", "widerface-val-sweep"], SuiteLoader.BuiltInNames);
        foreach (var name in new[] { "quick", "widerface-val" })
        {
            var suite = SuiteLoader.Load(name);
            Assert.Equal(name, suite.Name);
            Assert.Equal(VariantRegistry.Defaults(), suite.Variants);
            Assert.Contains(new BackendRequest("scalar", false), suite.Backends);
            Assert.Contains(new BackendRequest("gpu", true), suite.Backends);
        }
        var quick = SuiteLoader.Load("quick");
        Assert.Equal(DatasetKind.Synthetic, quick.Dataset.Kind);
        Assert.Null(quick.Detector);
        var wider = SuiteLoader.Load("widerface-val");
        Assert.Equal(DatasetKind.WiderFace, wider.Dataset.Kind);
        Assert.Equal("tiles", wider.Detector!.Mode);
        Assert.Equal(["blazeface-back-tiles", "faceapi-ssd-letterbox", "faceapi-tiny-letterbox"], wider.Detectors.Select(d => d.Label));

        // The sweep: every family, about 60 configurations, each family's default among them.
        var sweep = SuiteLoader.Load("widerface-val-sweep");
        Assert.NotNull(sweep.Sweep);
        Assert.Equal(60, sweep.Variants.Count);
        Assert.Equal(3, sweep.Repeats);
        Assert.Equal(2, sweep.Sweep!.Tuning.Folds);
        Assert.Equal([new BackendRequest("simd", false), new BackendRequest("gpu", true)], sweep.Backends);
        Assert.All(VariantRegistry.Defaults(), d => Assert.Contains(d, sweep.Variants));
    }

    [Fact]
    public void Detectors_list_and_single_detector_both_load()
    {
        const string Head = """{ "name": "x", "dataset": { "kind": "widerface" }, "variants": ["nms"], "backends": ["simd"], """;
        var single = SuiteLoader.Parse(Head + """ "detector": { "model": "faceapi-tiny", "mode": "letterbox" } }""", "a.json");
        Assert.Equal("faceapi-tiny-letterbox", Assert.Single(single.Detectors).Label);
        Assert.Same(single.Detectors[0], single.Detector);
        var several = SuiteLoader.Parse(Head + """ "detectors": [ { "model": "blazeface-back" }, { "model": "faceapi-ssd", "mode": "letterbox" } ] }""", "b.json");
        Assert.Equal(["blazeface-back-tiles", "faceapi-ssd-letterbox"], several.Detectors.Select(d => d.Label));
        var again = SuiteLoader.Parse(SuiteLoader.ToJson(several), "c.json");
        Assert.Equal(several.Detectors, again.Detectors);
        var one = several.ForDetector(several.Detectors[1]);
        Assert.Equal("faceapi-ssd-letterbox", Assert.Single(one.Detectors).Label);
        Assert.Equal("x.faceapi-ssd-letterbox", one.Name);
        // a per-detector run serialises in the single-detector form, as a one-detector suite always did
        Assert.Contains("\"detector\"", SuiteLoader.ToJson(one));
        Assert.DoesNotContain("\"detectors\"", SuiteLoader.ToJson(one));
    }

    [Fact]
    public void Resolved_json_round_trips()
    {
        var suite = SuiteLoader.Load("widerface-val");
        var again = SuiteLoader.Parse(SuiteLoader.ToJson(suite), "suite.json");
        Assert.Equal(suite.Variants, again.Variants);
        Assert.Equal(suite.Backends, again.Backends);
        Assert.Equal(suite.Dataset with { Events = null }, again.Dataset with { Events = null });
        Assert.Equal(suite.Detector, again.Detector);
        Assert.Equal((suite.Repeats, suite.Warmup, suite.BootstrapResamples, suite.BootstrapSeed), (again.Repeats, again.Warmup, again.BootstrapResamples, again.BootstrapSeed));
        Assert.Equal(16, again.Batch);
        var batched = SuiteLoader.Parse(SuiteLoader.ToJson(suite with { Batch = 5 }), "suite.json");
        Assert.Equal(5, batched.Batch);
        Assert.Equal(5, EvalHarness.Runs.RunSession.PlanFor(batched, null, strict: false).BatchSize);
    }

    [Fact]
    public void Loads_a_file_and_names_it_in_errors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"suite-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "name": "mine", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms", "gc(r=2)"], "backends": ["simd"], "shard": "2/3" }""");
        var suite = SuiteLoader.Load(path);
        Assert.Equal(new ShardSpec(2, 3), suite.Shard);
        Assert.Equal(2, suite.Variants[1].Radius);

        File.WriteAllText(path, """{ "name": "mine", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nmz"], "backends": ["simd"] }""");
        var ex = Assert.Throws<UsageException>(() => SuiteLoader.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("unknown variant 'nmz'", ex.Message);
    }

    [Theory]
    [InlineData("""{ "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms"], "backends": ["simd"] }""", "'name' is required")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms"], "backends": ["cuda"] }""", "unknown backend 'cuda'")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 0 }, "variants": ["nms"], "backends": ["simd"] }""", "needs 'images' > 0")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "coco" }, "variants": ["nms"], "backends": ["simd"] }""", "dataset kind must be")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "widerface" }, "variants": ["nms"], "backends": ["simd"] }""", "needs a 'detector'")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3 }, "variants": [], "backends": ["simd"] }""", "at least one variant")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms", "nms"], "backends": ["simd"] }""", "listed twice")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms"], "backends": ["simd"], "repeats": 0 }""", "repeats must be at least 1")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms"], "backends": ["simd"], "bootstrapResamples": 10 }""", "bootstrapResamples")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms"], "backends": ["gpu"], "batch": 0 }""", "batch must be at least 1, not 0")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms"], "backends": ["gpu"], "batch": 100000 }""", "batch 100000 is above the limit of 4096")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms"], "backends": ["simd"], "shard": "5/4" }""", "shard '5/4'")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "widerface" }, "detector": { "mode": "zoom" }, "variants": ["nms"], "backends": ["simd"] }""", "detector mode 'zoom'")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3, "seed": 2147483648 }, "variants": ["nms"], "backends": ["simd"] }""", "seed 2147483648 is above the limit of 2147483647")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 2000000000 }, "variants": ["nms"], "backends": ["simd"] }""", "images 2000000000 is above the limit of 1000000")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms"], "backends": ["simd"], "repeats": 2000000000 }""", "repeats 2000000000 is above the limit of 10000")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms"], "backends": ["simd"], "warmup": 2000000000 }""", "warmup 2000000000 is above the limit of 10000")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms"], "backends": ["simd"], "bootstrapResamples": 2000000000 }""", "bootstrapResamples 2000000000 is above the limit of 1000000")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms"], "backends": ["simd"], "output": "elsewhere" }""", "'output' is not a suite setting")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "widerface" }, "detector": { "mode": "tiles" }, "detectors": [ { "mode": "tiles" } ], "variants": ["nms"], "backends": ["simd"] }""", "either 'detector' or 'detectors'")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "widerface" }, "detectors": [], "variants": ["nms"], "backends": ["simd"] }""", "at least one detector")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "widerface" }, "detectors": [ { "model": "faceapi-ssd" }, { "model": "faceapi-ssd" } ], "variants": ["nms"], "backends": ["simd"] }""", "'faceapi-ssd-tiles' is listed twice")]
    public void Rejects_bad_suites_with_a_clear_message(string json, string expected)
    {
        var ex = Assert.Throws<UsageException>(() => SuiteLoader.Parse(json, "test.json"));
        Assert.Contains("suite test.json", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void A_name_too_long_for_a_folder_is_refused_with_the_limit()
    {
        var json = $$"""{ "name": "{{new string('n', 300)}}", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms"], "backends": ["simd"] }""";
        Assert.Contains("300 characters long; at most 100", Assert.Throws<UsageException>(() => SuiteLoader.Parse(json, "long.json")).Message);
    }

    [Theory]
    [InlineData("{\n  \"name\": \"x\",\n  \"repeats\": \"five\"\n}", 3, "'repeats' must be a whole number")]
    [InlineData("{\n  \"name\": \"x\",\n  \"dataset\": { \"kind\": \"synthetic\", \"seed\": -1 }\n}", 3, "'dataset.seed' must be a whole number ≥ 0")]
    [InlineData("{\n  \"name\": \"x\",\n  \"variants\": \"nms\"\n}", 3, "'variants' must be a list of strings")]
    [InlineData("{\n  \"name\": \"x\",\n  \"name\": \"y\"\n}", 3, "'name' is given twice")]
    [InlineData("{\n  \"name\": \"x\",\n  \"repeat\": 3\n}", 3, "unknown key 'repeat'")]
    public void Json_type_errors_speak_the_suite_language_with_one_line_number(string json, int line, string expected)
    {
        var ex = Assert.Throws<DataFormatException>(() => SuiteLoader.Parse(json, "t.json"));
        Assert.StartsWith($"t.json:{line}: ", ex.Message);
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain("System.", ex.Message);
        Assert.DoesNotContain("LineNumber", ex.Message);
    }

    [Fact]
    public void Unknown_keys_and_broken_json_are_format_errors()
    {
        var ex = Assert.Throws<DataFormatException>(() => SuiteLoader.Parse("""{ "name": "x", "repeat": 3 }""", "typo.json"));
        Assert.Contains("typo.json", ex.Message);
        Assert.Throws<DataFormatException>(() => SuiteLoader.Parse("{ \"name\": ", "broken.json"));
    }

    [Fact]
    public void Unknown_suite_name_lists_the_built_in_ones()
    {
        var ex = Assert.Throws<UsageException>(() => SuiteLoader.Load("nope"));
        Assert.Contains("quick, widerface-val", ex.Message);
    }

    [Fact]
    public void Variant_labels_are_names_unless_a_name_repeats()
    {
        var suite = SuiteLoader.Parse("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms", "gc(r=1)", "gc(r=2)"], "backends": ["simd"] }""", "t");
        Assert.Equal(["nms", "gc(score=0.02,r=1,k=2)", "gc(score=0.02,r=2,k=2)"], suite.VariantLabels());
    }
}

public class ShardPlanTests
{
    [Fact]
    public void Shards_tile_the_images_exactly_once()
    {
        Gen.Select(Gen.Int[0, 500], Gen.Int[1, 12]).Sample(t =>
        {
            var (images, n) = t;
            var seen = new int[images];
            for (var i = 1; i <= n; i++)
            {
                var part = ShardPlan.Select(images, i, n);
                Assert.True(part.Length <= (images + n - 1) / n);
                for (var k = 1; k < part.Length; k++) Assert.True(part[k] > part[k - 1]);
                foreach (var index in part) seen[index]++;
            }
            Assert.All(seen, c => Assert.Equal(1, c));
        });
    }

    [Fact]
    public void Round_robin_by_index()
    {
        Assert.Equal([1, 4, 7], ShardPlan.Select(9, 2, 3));
        Assert.Equal([0, 3], ShardPlan.Select(5, 1, 3));
        Assert.Empty(ShardPlan.Select(1, 2, 2));
        Assert.Throws<UsageException>(() => ShardPlan.Select(5, 0, 3));
    }
}
