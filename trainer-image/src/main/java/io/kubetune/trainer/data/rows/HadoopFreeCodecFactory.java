package io.kubetune.trainer.data.rows;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Page decompression for Parquet without Hadoop's codec machinery.
 *
 * <p>parquet-hadoop's own factory builds a Hadoop {@code Configuration}, which needs half of Hadoop
 * on the class path; these are the codecs Hugging Face and pyarrow write (snappy by default, gzip
 * and zstd on request), through the same libraries parquet-hadoop brings.
 */
final class HadoopFreeCodecFactory implements CompressionCodecFactory {
    /** Pages are about 1 MiB; one far larger is refused before it is inflated. */
    static final int MAX_PAGE_BYTES = 256 << 20;

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return new Decompressor(codec);
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        throw new UnsupportedOperationException("kubetune only reads Parquet");
    }

    @Override
    public void release() {}

    private record Decompressor(CompressionCodecName codec) implements BytesInputDecompressor {

        @Override
        public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
            return BytesInput.from(decompress(bytes.toByteArray(), uncompressedSize));
        }

        @Override
        public void decompress(
                ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                throws IOException {
            byte[] compressed = new byte[compressedSize];
            input.get(compressed);
            output.put(decompress(compressed, uncompressedSize));
        }

        @Override
        public void release() {}

        private byte[] decompress(byte[] compressed, int uncompressedSize) throws IOException {
            if (uncompressedSize < 0 || uncompressedSize > MAX_PAGE_BYTES) {
                throw new IOException(
                        "a Parquet page declares "
                                + uncompressedSize
                                + " bytes uncompressed, above the "
                                + MAX_PAGE_BYTES
                                + " this reader inflates; rewrite the file with smaller pages"
                                + " (pyarrow's default is 1 MiB)");
            }
            if (codec == CompressionCodecName.SNAPPY
                    && Snappy.uncompressedLength(compressed) != uncompressedSize) {
                throw sizeMismatch(Snappy.uncompressedLength(compressed), uncompressedSize);
            }
            byte[] out =
                    switch (codec) {
                        case UNCOMPRESSED -> compressed;
                        case SNAPPY -> Snappy.uncompress(compressed);
                        case ZSTD -> Zstd.decompress(compressed, uncompressedSize);
                        case GZIP -> gunzip(compressed, uncompressedSize);
                        default ->
                                throw new IOException(
                                        "Parquet pages compressed with "
                                                + codec
                                                + " are not supported; rewrite the file with snappy,"
                                                + " gzip or zstd (pyarrow's default is snappy)");
                    };
            if (out.length != uncompressedSize) {
                throw sizeMismatch(out.length, uncompressedSize);
            }
            return out;
        }

        private IOException sizeMismatch(long actual, int declared) {
            return new IOException(
                    codec
                            + " page decompressed to "
                            + actual
                            + " bytes, the page header says "
                            + declared);
        }

        /** Inflates at most one byte past the declared size: a gzip bomb stops there. */
        private static byte[] gunzip(byte[] compressed, int uncompressedSize) throws IOException {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
                return in.readNBytes(uncompressedSize + 1);
            }
        }
    }
}
