package io.kubetune.trainer.train;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps a second trainer (another process, or another run in this one) out of an output folder
 * while a run writes checkpoints there: a lock on {@code <output>/.lock}, freed when the run ends
 * or its process dies.
 */
final class OutputLock implements AutoCloseable {
    static final String FILE = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private OutputLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @throws IllegalStateException naming the folder when another run holds it
     */
    static OutputLock acquire(Path outputDir) throws IOException {
        Path file = outputDir.resolve(FILE);
        FileChannel channel =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new IllegalStateException(
                    "output folder "
                            + outputDir
                            + " is in use by another kubetune run (it holds "
                            + file
                            + "); wait for that run to end or choose another --output");
        }
        return new OutputLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
