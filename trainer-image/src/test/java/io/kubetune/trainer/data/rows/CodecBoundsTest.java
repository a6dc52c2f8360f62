package io.kubetune.trainer.data.rows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputDecompressor;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;

/**
 * A Parquet page is inflated only up to the size its header declares, and a header declaring an
 * outsized page is refused before anything is inflated: a gzip bomb in a dataset stops there.
 */
class CodecBoundsTest {
    private final BytesInputDecompressor gzip =
            new HadoopFreeCodecFactory().getDecompressor(CompressionCodecName.GZIP);

    @Test
    void gzipPageIsInflatedNoFurtherThanItsDeclaredSize() throws IOException {
        byte[] bomb = gzip(new byte[200 << 20]); // 200 MiB of zeros in about 200 KiB

        assertThatThrownBy(() -> gzip.decompress(BytesInput.from(bomb), 1000))
                .isInstanceOf(IOException.class)
                .hasMessage("GZIP page decompressed to 1001 bytes, the page header says 1000");
    }

    @Test
    void pageDeclaringMoreThanTheCapIsRefusedBeforeInflating() {
        assertThatThrownBy(
                        () ->
                                gzip.decompress(
                                        BytesInput.from(new byte[10]),
                                        HadoopFreeCodecFactory.MAX_PAGE_BYTES + 1))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("above the " + HadoopFreeCodecFactory.MAX_PAGE_BYTES);
    }

    @Test
    void honestPageIsInflated() throws IOException {
        byte[] page = "hello parquet".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        assertThat(gzip.decompress(BytesInput.from(gzip(page)), page.length).toByteArray())
                .isEqualTo(page);
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }
}
