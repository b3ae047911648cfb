package net.kimik2.api.apikeys;

import java.util.List;

public record ApiKeyList(List<ApiKeyView> keys) {
}
