package io.kubetune.trainer.data.rows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Reads a local Parquet file row by row into plain Java values, without a Hadoop file system or
 * configuration: strings, longs, doubles, booleans, lists (3-level and legacy 2-level) and nested
 * structs as maps.
 */
public final class ParquetRows {

    private ParquetRows() {}

    /**
     * Reads every row of {@code file} into {@code sink}.
     *
     * @throws IOException if the file is not Parquet or cannot be decoded
     */
    public static void read(Path file, RowSink sink) throws IOException {
        ParquetReadOptions options =
                ParquetReadOptions.builder(new PlainParquetConfiguration())
                        .withCodecFactory(new HadoopFreeCodecFactory())
                        .build();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), options)) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            MessageColumnIO columns = new ColumnIOFactory().getColumnIO(schema);
            int index = 0;
            for (PageReadStore pages = reader.readNextRowGroup();
                    pages != null;
                    pages = reader.readNextRowGroup()) {
                RecordReader<Group> records =
                        columns.getRecordReader(pages, new GroupRecordConverter(schema));
                for (long r = 0; r < pages.getRowCount(); r++) {
                    sink.row(index++, struct(records.read()));
                }
            }
        }
    }

    private static Map<String, Object> struct(Group group) {
        GroupType type = group.getType();
        Map<String, Object> row = new LinkedHashMap<>();
        for (int f = 0; f < type.getFieldCount(); f++) {
            row.put(type.getFieldName(f), field(group, f));
        }
        return row;
    }

    private static Object field(Group group, int f) {
        Type type = group.getType().getType(f);
        int count = group.getFieldRepetitionCount(f);
        if (type.isRepetition(Type.Repetition.REPEATED)) {
            List<Object> values = new ArrayList<>(count);
            for (int r = 0; r < count; r++) {
                values.add(value(group, f, r));
            }
            return values;
        }
        return count == 0 ? null : value(group, f, 0);
    }

    private static Object value(Group group, int f, int r) {
        Type type = group.getType().getType(f);
        if (type.isPrimitive()) {
            return primitive(group, f, r, type.asPrimitiveType());
        }
        Group nested = group.getGroup(f, r);
        if (type.getLogicalTypeAnnotation()
                instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
            return list(nested);
        }
        return struct(nested);
    }

    // LIST: one repeated field; each repetition is the element, or a group wrapping it.
    private static List<Object> list(Group list) {
        Type repeated = list.getType().getType(0);
        int count = list.getFieldRepetitionCount(0);
        List<Object> values = new ArrayList<>(count);
        for (int r = 0; r < count; r++) {
            if (repeated.isPrimitive() || repeated.asGroupType().getFieldCount() != 1) {
                values.add(value(list, 0, r));
            } else {
                values.add(field(list.getGroup(0, r), 0));
            }
        }
        return values;
    }

    private static Object primitive(Group group, int f, int r, PrimitiveType type) {
        return switch (type.getPrimitiveTypeName()) {
            case BINARY, FIXED_LEN_BYTE_ARRAY ->
                    new String(group.getBinary(f, r).getBytes(), StandardCharsets.UTF_8);
            case INT32 -> (long) group.getInteger(f, r);
            case INT64 -> group.getLong(f, r);
            case BOOLEAN -> group.getBoolean(f, r);
            case FLOAT -> (double) group.getFloat(f, r);
            case DOUBLE -> group.getDouble(f, r);
            case INT96 -> group.getInt96(f, r).getBytes();
        };
    }
}
