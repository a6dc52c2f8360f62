package io.kubetune.trainer.data.rows;

import java.util.Map;

/** Receives the rows of a data file, in order. */
public interface RowSink {

    /**
     * One row.
     *
     * @param index the row's 0-based position in the file
     * @param row field name to {@code String}, {@code Long} (integral number), {@code Double}
     *     (other number), {@code Boolean}, {@code List}, {@code Map} or null
     */
    void row(int index, Map<String, Object> row);

    /**
     * A row that could not be decoded at all (such as a line that is not JSON).
     *
     * @param index the row's 0-based position in the file
     * @param reason what is wrong
     */
    void unreadable(int index, String reason);
}
