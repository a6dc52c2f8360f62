package io.kubetune.trainer.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** {@code kubetune --version}: the version Maven wrote into the jar at build time. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/kubetune/version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        }
        return new String[] {"kubetune " + properties.getProperty("version", "(unknown version)")};
    }
}
