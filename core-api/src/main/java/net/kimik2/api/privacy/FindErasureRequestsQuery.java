package net.kimik2.api.privacy;

import net.kimik2.api.platform.PageRequest;

/** All erasure requests, newest first (ADMIN); answers {@link ErasureRequestPage}. */
public record FindErasureRequestsQuery(PageRequest page) {
}
