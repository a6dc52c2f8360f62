package io.kubetune.trainer.bench;

/** How every benchmark times its work: untimed warm-up steps, then timed ones. */
final class TimedSteps {

    private TimedSteps() {}

    /**
     * Runs {@code step} {@code warmup} times untimed, then {@code steps} times timed.
     *
     * @return the wall seconds of each timed step
     */
    static double[] run(Runnable step, int warmup, int steps) {
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        double[] seconds = new double[steps];
        for (int i = 0; i < steps; i++) {
            long start = System.nanoTime();
            step.run();
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        return seconds;
    }
}
