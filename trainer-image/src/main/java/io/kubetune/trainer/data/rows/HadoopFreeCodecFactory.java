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
            byte[] out =
                    switch (codec) {
                        case UNCOMPRESSED -> compressed;
                        case SNAPPY -> Snappy.uncompress(compressed);
                        case ZSTD -> Zstd.decompress(compressed, uncompressedSize);
                        case GZIP -> gunzip(compressed);
                        default ->
                                throw new IOException(
                                        "Parquet pages compressed with "
                                                + codec
                                                + " are not supported; rewrite the file with snappy,"
                                                + " gzip or zstd (pyarrow's default is snappy)");
                    };
            if (out.length != uncompressedSize) {
                throw new IOException(
                        codec
                                + " page decompressed to "
                                + out.length
                                + " bytes, the page header says "
                                + uncompressedSize);
            }
            return out;
        }

        private static byte[] gunzip(byte[] compressed) throws IOException {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
                return in.readAllBytes();
            }
        }
    }
}
