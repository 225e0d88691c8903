using EvalHarness.Detectors.Input;
using EvalHarness.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace EvalHarness.Tests.Detectors;

public sealed class ImageLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-img-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static Image<Rgb24> Gradient(int w, int h)
    {
        var image = new Image<Rgb24>(w, h);
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++) image[x, y] = new Rgb24((byte)(x * 3), (byte)(y * 5), 77);
        }
        return image;
    }

    private static byte[] Jpeg(int w, int h)
    {
        using var image = Gradient(w, h);
        using var ms = new MemoryStream();
        image.SaveAsJpeg(ms, new JpegEncoder { Quality = 90 });
        return ms.ToArray();
    }

    private static byte[] Png<TPixel>(Image<TPixel> image) where TPixel : unmanaged, IPixel<TPixel>
    {
        using var ms = new MemoryStream();
        image.SaveAsPng(ms);
        return ms.ToArray();
    }

    [Fact]
    public void A_valid_jpeg_loads_as_rgb()
    {
        using var image = new ImageLoader().Load(Write("ok.jpg", Jpeg(64, 48)));
        Assert.Equal((64, 48), (image.Width, image.Height));
    }

    [Fact]
    public void A_truncated_jpeg_is_refused_naming_the_file()
    {
        // cut inside the entropy-coded scan: the header is intact, so only the end-of-image check can tell
        var bytes = Jpeg(640, 480);
        var path = Write("cut.jpg", bytes[..(bytes.Length * 2 / 3)]);
        var ex = Assert.Throws<DataFormatException>(() => new ImageLoader().Load(path));
        Assert.Equal(path, ex.FilePath);
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void A_jpeg_cut_inside_its_header_is_refused()
    {
        var path = Write("header.jpg", Jpeg(64, 48)[..40]);
        Assert.Throws<DataFormatException>(() => new ImageLoader().Load(path));
    }

    [Fact]
    public void An_empty_file_is_refused()
    {
        var ex = Assert.Throws<DataFormatException>(() => new ImageLoader().Load(Write("empty.jpg", [])));
        Assert.Contains("empty", ex.Message);
    }

    [Fact]
    public void A_missing_file_is_refused_naming_it()
    {
        var path = Path.Combine(_dir, "nope.jpg");
        var ex = Assert.Throws<DataFormatException>(() => new ImageLoader().Load(path));
        Assert.Equal(path, ex.FilePath);
        Assert.Contains("not found", ex.Message);
    }

    [Fact]
    public void A_text_file_is_refused()
    {
        var ex = Assert.Throws<DataFormatException>(() => new ImageLoader().Load(Write("text.jpg", "hello, not an image"u8.ToArray())));
        Assert.Contains("not a JPEG, PNG or BMP", ex.Message);
    }

    [Fact]
    public void A_png_named_jpg_is_decoded_by_its_content_with_exact_pixels()
    {
        using var source = Gradient(20, 10);
        using var image = new ImageLoader().Load(Write("really-a-png.jpg", Png(source)));
        Assert.Equal(source[13, 7], image[13, 7]);
        Assert.Equal(source[0, 9], image[0, 9]);
    }

    [Fact]
    public void A_grayscale_image_becomes_rgb()
    {
        using var gray = new Image<L8>(4, 4, new L8(200));
        using var image = new ImageLoader().Load(Write("gray.png", Png(gray)));
        Assert.Equal(new Rgb24(200, 200, 200), image[2, 2]);
    }

    [Fact]
    public void An_image_over_the_pixel_limit_is_refused_before_decoding()
    {
        var path = Write("big.jpg", Jpeg(100, 80));
        var ex = Assert.Throws<DataFormatException>(() => new ImageLoader(new ImageLoadOptions { MaxPixels = 7999 }).Load(path));
        Assert.Contains("8000 pixels", ex.Message);
        using var ok = new ImageLoader(new ImageLoadOptions { MaxPixels = 8000 }).Load(path);
        Assert.Equal(100, ok.Width);
    }

    [Fact]
    public void A_header_claiming_a_huge_image_is_refused_without_allocating_it()
    {
        // a PNG whose IHDR claims 60000 × 60000 (3.6 Gpx): Identify reads only the header
        var png = Png(new Image<Rgb24>(1, 1));
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 60000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 60000);
        var crc = Crc32(png.AsSpan(12, 17));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), crc);
        var path = Write("bomb.png", png);
        var loader = new ImageLoader();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<DataFormatException>(() => loader.Load(path));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("over the limit", ex.Message);
        // Decoding would need about 10 GB of pixels; reading the header and refusing needs a few buffers.
        Assert.InRange(allocated, 0, 16L << 20);
    }

    /// <summary>PNG's chunk CRC (ISO-HDLC CRC-32), so the forged header passes the decoder's checks.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
