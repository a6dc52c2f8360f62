package io.kubetune.trainer.storage;

/**
 * A file of a hub repository as the hub lists it.
 *
 * @param path path inside the repository ({@code rfilename})
 * @param size bytes, or -1 when the hub did not say
 * @param sha256 hex SHA-256 for LFS files (the hub stores it), null for small git files
 */
public record HubFile(String path, long size, String sha256) {}
