package io.kubetune.trainer.model;

import ai.djl.Device;
import java.util.Locale;

/** Turns the configured device name into a DJL device; nothing picks a device by itself. */
public final class Devices {

    private Devices() {}

    /**
     * Parses {@code cpu}, {@code cuda} or {@code cuda:N} ({@code gpu} is accepted as {@code cuda}).
     *
     * @param name the configured device
     * @return the device
     */
    public static Device parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        if (n.equals("cuda") || n.equals("gpu")) {
            return Device.gpu(0);
        }
        if (n.startsWith("cuda:") || n.startsWith("gpu:")) {
            try {
                return Device.gpu(Integer.parseInt(n.substring(n.indexOf(':') + 1)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("device '" + name + "' is not one of cpu, cuda, cuda:N");
    }
}
