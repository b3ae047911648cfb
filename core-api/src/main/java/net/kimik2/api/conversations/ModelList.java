package net.kimik2.api.conversations;

import java.util.List;

/** The configured models, the default first. {@code offline} is true when no provider is configured. */
public record ModelList(List<ModelView> models, String defaultModel, boolean offline) {
}
