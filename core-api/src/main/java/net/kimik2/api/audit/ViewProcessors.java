package net.kimik2.api.audit;

import java.util.List;

public record ViewProcessors(List<ViewProcessorStatus> processors) {
}
