package net.kimik2.shredding.privacy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;

/**
 * Encrypts and decrypts the {@link PersonalData} fields of a message or document in its JSON tree form, under the
 * key scope named by its {@link DataSubject} (inherited by nested records, lists and maps of records). A whole
 * personal field (string, list, map or record) becomes one encrypted value. Reading a field whose key was
 * destroyed yields the field's replacement value, never an error.
 */
public class PersonalDataProtector {

    enum Nesting { OBJECT, LIST, MAP }

    record Part(String name, Class<?> rawType, PersonalData personal, Nesting nesting, Class<?> nestedType) {
    }

    record Model(String subjectField, DataSubject subject, List<Part> personal, List<Part> nested, boolean protects) {
    }

    private static final Model NONE = new Model(null, null, List.of(), List.of(), false);

    private final FieldCipher cipher;
    private final ObjectMapper mapper;
    private final ClassValue<Model> models = new ClassValue<>() {
        @Override
        protected Model computeValue(Class<?> type) {
            return model(type, new HashSet<>());
        }
    };

    public PersonalDataProtector(FieldCipher cipher, ObjectMapper mapper) {
        this.cipher = cipher;
        this.mapper = mapper;
    }

    /** True when instances of {@code type} hold personal data anywhere inside. */
    public boolean protects(Class<?> type) {
        return models.get(type).protects();
    }

    public FieldCipher cipher() {
        return cipher;
    }

    /** Replaces every personal value in {@code tree} (the JSON form of a {@code type}) by its encrypted form. */
    public void encrypt(JsonNode tree, Class<?> type) {
        walk(tree, type, null, null, true);
    }

    /** Replaces every encrypted value in {@code tree} by its plaintext, or by the replacement once shredded. */
    public void decrypt(JsonNode tree, Class<?> type) {
        walk(tree, type, null, null, false);
    }

    private void walk(JsonNode tree, Class<?> type, String inheritedScope, String inheritedOwner, boolean encrypt) {
        Model model = models.get(type);
        if (!model.protects() || !(tree instanceof ObjectNode node)) {
            return;
        }
        String scope = inheritedScope;
        String owner = inheritedOwner;
        if (model.subjectField() != null && node.hasNonNull(model.subjectField())) {
            String id = node.get(model.subjectField()).asText();
            scope = model.subject().scope() + ":" + id;
            owner = model.subject().owner().isEmpty() ? id : text(node, model.subject().owner());
        }
        for (Part part : model.personal()) {
            JsonNode value = node.get(part.name());
            if (value == null || value.isNull()) {
                continue;
            }
            if (scope == null) {
                throw new IllegalStateException(type.getSimpleName() + "." + part.name()
                        + " is personal data but the message names no data subject");
            }
            node.set(part.name(), encrypt ? sealed(scope, owner, part, value) : opened(scope, part, value));
        }
        for (Part part : model.nested()) {
            JsonNode value = node.get(part.name());
            if (value == null || value.isNull()) {
                continue;
            }
            if (part.nesting() == Nesting.OBJECT) {
                walk(value, part.nestedType(), scope, owner, encrypt);
            } else {
                for (JsonNode element : value) { // list elements, or map values
                    walk(element, part.nestedType(), scope, owner, encrypt);
                }
            }
        }
    }

    private JsonNode sealed(String scope, String owner, Part part, JsonNode value) {
        try {
            return TextNode.valueOf(cipher.encrypt(scope, owner, part.name(), mapper.writeValueAsBytes(value)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode opened(String scope, Part part, JsonNode value) {
        if (!value.isTextual() || !FieldCipher.isEnvelope(value.asText())) {
            return value;
        }
        byte[] plain = cipher.decryptOrNull(scope, part.name(), value.asText());
        if (plain == null) {
            return replacement(part);
        }
        try {
            return mapper.readTree(plain);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode replacement(Part part) {
        Class<?> t = part.rawType();
        if (t == String.class || CharSequence.class.isAssignableFrom(t)) {
            return TextNode.valueOf(part.personal().replacement());
        }
        if (Collection.class.isAssignableFrom(t) || t.isArray()) {
            return new ArrayNode(JsonNodeFactory.instance);
        }
        if (Map.class.isAssignableFrom(t)) {
            return new ObjectNode(JsonNodeFactory.instance);
        }
        if (t == boolean.class || t == Boolean.class) {
            return BooleanNode.FALSE;
        }
        if (t.isPrimitive() || Number.class.isAssignableFrom(t)) {
            return IntNode.valueOf(0);
        }
        return NullNode.getInstance();
    }

    private static String text(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** The protection model of a type; exposed for the marking test. */
    Model modelOf(Class<?> type) {
        return models.get(type);
    }

    static Model model(Class<?> type, Set<Class<?>> visiting) {
        if (type.isPrimitive() || type.isEnum() || type.getName().startsWith("java.") || !visiting.add(type)) {
            return NONE;
        }
        String subjectField = null;
        DataSubject subject = null;
        List<Part> personal = new ArrayList<>();
        List<Part> nested = new ArrayList<>();
        for (Member member : members(type)) {
            DataSubject ds = member.element().getAnnotation(DataSubject.class);
            if (ds != null) {
                subjectField = member.name();
                subject = ds;
            }
            PersonalData pd = member.element().getAnnotation(PersonalData.class);
            if (pd != null) {
                personal.add(new Part(member.name(), member.rawType(), pd, null, null));
                continue;
            }
            Part inner = nestedPart(member, visiting);
            if (inner != null) {
                nested.add(inner);
            }
        }
        visiting.remove(type);
        boolean protects = !personal.isEmpty() || !nested.isEmpty();
        return protects ? new Model(subjectField, subject, List.copyOf(personal), List.copyOf(nested), true) : NONE;
    }

    private static Part nestedPart(Member member, Set<Class<?>> visiting) {
        Class<?> raw = member.rawType();
        Type generic = member.genericType();
        Nesting nesting = Nesting.OBJECT;
        Class<?> target = raw;
        if (Collection.class.isAssignableFrom(raw) || Map.class.isAssignableFrom(raw)) {
            nesting = Map.class.isAssignableFrom(raw) ? Nesting.MAP : Nesting.LIST;
            if (!(generic instanceof ParameterizedType pt)) {
                return null;
            }
            Type[] args = pt.getActualTypeArguments();
            Type element = args[args.length - 1];
            if (!(element instanceof Class<?> c)) {
                return null;
            }
            target = c;
        }
        return model(target, visiting).protects() ? new Part(member.name(), raw, null, nesting, target) : null;
    }

    record Member(String name, AnnotatedElement element, Class<?> rawType, Type genericType) {
    }

    static List<Member> members(Class<?> type) {
        List<Member> members = new ArrayList<>();
        if (type.isRecord()) {
            for (RecordComponent c : type.getRecordComponents()) {
                members.add(new Member(c.getName(), c, c.getType(), c.getGenericType()));
            }
            return members;
        }
        for (Class<?> t = type; t != null && t != Object.class; t = t.getSuperclass()) {
            for (Field f : t.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) && !f.isSynthetic()) {
                    members.add(new Member(f.getName(), f, f.getType(), f.getGenericType()));
                }
            }
        }
        return members;
    }

}
