package net.kimik2.api.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PageRequestTest {

    @ParameterizedTest
    @ValueSource(ints = {Integer.MIN_VALUE, -1, 0, 101, 1000})
    void rejectsFirstOutsideOneToHundred(int first) {
        assertThatThrownBy(() -> new PageRequest(first, null))
                .isInstanceOfSatisfying(DomainException.class, e -> {
                    assertThat(e.error().code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                    assertThat(e.error().field()).isEqualTo("first");
                });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 20, 100})
    void acceptsBounds(int first) {
        assertThat(new PageRequest(first, "c").first()).isEqualTo(first);
    }

    @Test
    void ofDefaultsFirstWhenAbsentAndKeepsCursor() {
        PageRequest page = PageRequest.of(null, "cursor");
        assertThat(page.first()).isEqualTo(PageRequest.DEFAULT_FIRST);
        assertThat(page.after()).isEqualTo("cursor");
    }

    @Test
    void ofStillValidatesAnExplicitFirst() {
        assertThatThrownBy(() -> PageRequest.of(0, null)).isInstanceOf(DomainException.class);
        assertThatThrownBy(() -> PageRequest.of(PageRequest.MAX_FIRST + 1, null)).isInstanceOf(DomainException.class);
    }
}
