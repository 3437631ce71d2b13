package io.eskafka.kafka.serde;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificFixed;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Extends Avro's process-wide {@link ClassSecurityValidator} so that it trusts the exact generated
 * classes {@link AvroSerde} decided to decode into.
 *
 * <p>Why: since 1.11.4 Avro validates every class it loads by name ({@code ClassUtils.forName},
 * reached from {@code SpecificData.getClass} and {@code FastReaderBuilder}) against a global
 * predicate that trusts only {@code java.lang} boxes, {@code String}, {@code BigDecimal} and
 * friends plus the {@code org.apache.avro.SERIALIZABLE_PACKAGES}/{@code SERIALIZABLE_CLASSES}
 * system properties. Generated event classes are in none of those, so without help every user
 * would have to set JVM flags naming their packages.
 *
 * <p>Scope: only {@link Class} objects (not names, not packages) are trusted, and only ones that are
 * generated Avro types: {@link SpecificRecord}s, {@link SpecificFixed}s and enums implementing
 * {@link GenericEnumSymbol}. They are found by walking the reader schema of a record class the serde
 * resolved itself, so a writer schema cannot talk Avro into instantiating anything else. The
 * previously installed global predicate keeps deciding for every other class, including how it
 * reports a forbidden one.
 *
 * <p>Threading: {@link #trustTypesOf(Class)} may be called from any thread. The trusted set is a
 * concurrent set; installation is synchronized. Avro reads the global predicate from a plain static
 * field, but every decode first reads the serde's reader cache (a {@code ConcurrentHashMap}) that was
 * written after installation, which orders the field write before Avro's read.
 */
final class AvroClassTrust {

    private static final Set<Class<?>> TRUSTED = ConcurrentHashMap.newKeySet();

    private AvroClassTrust() {
    }

    /**
     * Trusts {@code recordClass} and every generated record, enum and fixed class its schema refers
     * to, and makes sure the global validator consults this trust.
     */
    static void trustTypesOf(Class<? extends SpecificRecord> recordClass, Schema readerSchema) {
        ClassLoader loader = recordClass.getClassLoader();
        Map<Schema, Boolean> seen = new IdentityHashMap<>();
        collect(readerSchema, loader, seen);
        TRUSTED.add(recordClass);
        ensureInstalled();
    }

    static boolean isTrusted(Class<?> type) {
        return TRUSTED.contains(type);
    }

    private static void collect(Schema schema, ClassLoader loader, Map<Schema, Boolean> seen) {
        if (seen.put(schema, Boolean.TRUE) != null) {
            return;
        }
        switch (schema.getType()) {
            case RECORD -> {
                trustIfGenerated(schema, loader);
                for (Schema.Field field : schema.getFields()) {
                    collect(field.schema(), loader, seen);
                }
            }
            case ENUM, FIXED -> trustIfGenerated(schema, loader);
            case ARRAY -> collect(schema.getElementType(), loader, seen);
            case MAP -> collect(schema.getValueType(), loader, seen);
            case UNION -> schema.getTypes().forEach(branch -> collect(branch, loader, seen));
            default -> {
                // primitives: nothing to load
            }
        }
    }

    private static void trustIfGenerated(Schema named, ClassLoader loader) {
        Class<?> type;
        try {
            // initialize=false: deciding whether to trust a class must not run its static code.
            type = Class.forName(SpecificData.getClassName(named), false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return; // Avro falls back to a generic representation for this type; nothing to trust.
        }
        boolean generated = SpecificRecord.class.isAssignableFrom(type)
                || SpecificFixed.class.isAssignableFrom(type)
                || (type.isEnum() && GenericEnumSymbol.class.isAssignableFrom(type));
        if (generated) {
            TRUSTED.add(type);
        }
    }

    private static void ensureInstalled() {
        if (ClassSecurityValidator.getGlobal() instanceof TrustingPredicate) {
            return;
        }
        synchronized (AvroClassTrust.class) {
            ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
            if (!(current instanceof TrustingPredicate)) {
                // Re-wrap if someone replaced the global after us, so our trust is never lost.
                ClassSecurityValidator.setGlobal(new TrustingPredicate(current));
            }
        }
    }

    /** The previous global predicate, widened by the classes in {@link #TRUSTED}. */
    private record TrustingPredicate(ClassSecurityPredicate previous) implements ClassSecurityPredicate {
        @Override
        public boolean isTrusted(Class<?> type) {
            return TRUSTED.contains(type) || previous.isTrusted(type);
        }

        @Override
        public void forbiddenClass(String className) {
            previous.forbiddenClass(className);
        }
    }
}
