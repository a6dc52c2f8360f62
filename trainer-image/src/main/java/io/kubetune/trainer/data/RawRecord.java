package io.kubetune.trainer.data;

import java.util.Map;

/**
 * A record as read from a file, before its format is applied.
 *
 * @param line 1-based line (JSON Lines, CSV) or 1-based position (JSON array, Parquet)
 */
public record RawRecord(long line, Map<String, Object> fields) {}
