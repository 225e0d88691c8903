using EvalHarness.Datasets;
using EvalHarness.IO;

namespace EvalHarness.Tests.Datasets;

public sealed class WiderAnnotationParserTests
{
    private const string Two = "0--Parade/0_Parade_a_1.jpg\n2\n1 2 3 4 0 0 0 0 0 0 \n5 6 -7 0 2 1 0 1 2 3\n";

    [Fact]
    public void Parses_faces_with_attributes_and_keeps_non_positive_sizes()
    {
        var image = Assert.Single(WiderAnnotationParser.Parse(Two, "t"));
        Assert.Equal(("0--Parade/0_Parade_a_1.jpg", "0--Parade", "0_Parade_a_1"), (image.RelativePath, image.Event, image.ImageKey));
        Assert.Equal([new FaceAnnotation(1, 2, 3, 4, 0, 0, 0, 0, 0, 0), new FaceAnnotation(5, 6, -7, 0, 2, 1, 0, 1, 2, 3)], image.Faces);
        Assert.False(image.IsNoFaceRecord);
    }

    [Fact]
    public void Accepts_crlf_and_a_byte_order_mark() =>
        Assert.Equal(WiderAnnotationParser.Parse(Two, "t")[0].Faces, WiderAnnotationParser.Parse("\uFEFF" + Two.Replace("\n", "\r\n"), "t")[0].Faces);

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    public void A_count_with_a_line_of_zeros_is_a_no_face_record(string count)
    {
        var images = WiderAnnotationParser.Parse($"1--E/none.jpg\n{count}\n0 0 0 0 0 0 0 0 0 0 \n1--E/next.jpg\n1\n9 9 9 9 0 0 0 0 0 0\n", "t");
        Assert.Equal(2, images.Count);
        Assert.Empty(images[0].Faces);
        Assert.True(images[0].IsNoFaceRecord);
        Assert.Equal(1, images[0].BoxLineCount);
        Assert.Single(images[1].Faces);
    }

    [Theory]
    [InlineData("0--Parade/a.jpg\n", 2, "end of file")]
    [InlineData("0--Parade/a.jpg\nx\n", 2, "not a face count")]
    [InlineData("0--Parade/a.jpg\n-1\n", 2, "not a face count")]
    [InlineData("0--Parade/a.jpg\n2\n1 2 3 4 0 0 0 0 0 0\n", 4, "declares 2 face(s)")]
    [InlineData("0--Parade/a.jpg\n1\n1 2 3 4 0 0 0 0 0\n", 3, "9 fields")]
    [InlineData("0--Parade/a.jpg\n1\n1 2 3 4 0 0 0 0 0 0 0\n", 3, "more than 10")]
    [InlineData("0--Parade/a.jpg\n1\n1 2 3 4.5 0 0 0 0 0 0\n", 3, "'4.5' is not an integer")]
    [InlineData("0--Parade/a.jpg\n0\n1 0 0 0 0 0 0 0 0 0\n", 3, "ten zeros")]
    [InlineData("0--Parade/a.jpg\n0\n0--Parade/b.jpg\n", 3, "not an integer")]
    [InlineData("no_event.jpg\n0\n", 1, "event/image.jpg")]
    [InlineData("\n", 1, "empty line")]
    public void Malformed_input_names_the_line_and_what_was_expected(string text, int line, string expected)
    {
        var error = Assert.Throws<DataFormatException>(() => WiderAnnotationParser.Parse(text, "bad.txt"));
        Assert.Equal(("bad.txt", line), (error.FilePath, error.Line));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Parses_the_official_val_and_train_files()
    {
        var split = Path.Combine(TestData.WiderFaceRoot, "wider_face_split");
        var val = WiderAnnotationParser.ParseFile(Path.Combine(split, "wider_face_val_bbx_gt.txt"));
        Assert.Equal(3226, val.Count);
        Assert.Equal(39708, val.Sum(i => i.BoxLineCount));
        Assert.Equal(4, val.Count(i => i.IsNoFaceRecord));
        Assert.Equal(61, val.Select(i => i.Event).Distinct().Count());
        // 11 box lines with w or h <= 0: 7 faces plus the 4 zero placeholder lines.
        Assert.Equal(7, val.SelectMany(i => i.Faces).Count(f => f.W <= 0 || f.H <= 0));

        var train = WiderAnnotationParser.ParseFile(Path.Combine(split, "wider_face_train_bbx_gt.txt"));
        Assert.Equal(12880, train.Count);
        Assert.Equal(159_424, train.Sum(i => i.BoxLineCount));
        Assert.Equal(4, train.Count(i => i.IsNoFaceRecord));
    }
}
