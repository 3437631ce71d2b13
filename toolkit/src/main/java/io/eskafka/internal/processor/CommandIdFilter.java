package io.eskafka.internal.processor;

/**
 * A Bloom filter over the command ids in a task's command-id store: "definitely never seen" lets
 * the processor skip the store lookup for a new command, which is nearly every command.
 *
 * <p>Why: the lookup is a range fetch over the window store's segments (a RocksDB iterator per
 * segment), and measured at about a third of the aggregate's throughput; a new id is answered by
 * this filter in a few dozen nanoseconds. The filter may say "maybe" for an id never seen (then
 * the store decides), never "no" for an id that was stored: the processor adds every id it stores,
 * and rebuilds the filter from the store whenever the store may have changed under it (task
 * initialisation: after restoration, after a rebalance, after an aborted transaction).
 *
 * <p>Blocked: an id's bits all lie in one 512-bit block (a cache line's worth of words), so an add
 * or a lookup touches one or two cache lines instead of one per hash; a filter of millions of ids
 * does not fit in the CPU caches, and every command adds its id.
 *
 * <p>Not thread-safe: one per task, used by its stream thread.
 */
final class CommandIdFilter {

  /** Bits per expected entry and hash count: under 1 % false positives at capacity, blocked. */
  private static final int BITS_PER_ENTRY = 12;
  private static final int HASHES = 7;
  /** 64 MiB of bits per task at most; beyond that the filter saturates (slower, still correct). */
  private static final long MAX_BITS = 1L << 29;

  private static final int BLOCK_BITS = 512;
  private static final int WORDS_PER_BLOCK = BLOCK_BITS / 64;

  private final long[] words;
  /** Block numbers are masked to this; the filter's bit count is a power of two. */
  private final long blockMask;
  private final long capacity;
  private long added;

  private CommandIdFilter(long expectedEntries) {
    long wanted = Math.max(BLOCK_BITS, expectedEntries * BITS_PER_ENTRY);
    long bits = Math.min(MAX_BITS, Long.highestOneBit(wanted - 1) << 1);
    this.words = new long[(int) (bits >>> 6)];
    this.blockMask = bits / BLOCK_BITS - 1;
    this.capacity = bits / BITS_PER_ENTRY;
  }

  /** A filter sized for {@code expectedEntries} ids. */
  static CommandIdFilter forEntries(long expectedEntries) {
    return new CommandIdFilter(expectedEntries);
  }

  /** Records an id. */
  void add(String id) {
    long hash = hash(id);
    int block = block(hash);
    int h1 = (int) hash;
    int h2 = (int) (hash >>> 16) | 1;
    for (int i = 0; i < HASHES; i++) {
      int bit = (h1 + i * h2) & (BLOCK_BITS - 1);
      words[block + (bit >>> 6)] |= 1L << bit;
    }
    added++;
  }

  /** False only if {@code id} was never added. */
  boolean mightContain(String id) {
    long hash = hash(id);
    int block = block(hash);
    int h1 = (int) hash;
    int h2 = (int) (hash >>> 16) | 1;
    for (int i = 0; i < HASHES; i++) {
      int bit = (h1 + i * h2) & (BLOCK_BITS - 1);
      if ((words[block + (bit >>> 6)] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The first word of the id's block, from the hash's top bits; the positions inside the block
   * come from bits 0-8 and 16-24, so the three are independent.
   */
  private int block(long hash) {
    return (int) ((hash >>> 40) & blockMask) * WORDS_PER_BLOCK;
  }

  /** Whether more ids were added than the filter was sized for, and it can still grow. */
  boolean wantsToGrow() {
    return added > capacity && (long) words.length * 64 < MAX_BITS;
  }

  /** Ids added so far. */
  long size() {
    return added;
  }

  // FNV-1a over the UTF-16 chars, then a 64-bit finaliser (from SplitMix64) so both halves mix
  // every char; no allocation on the hot path.
  private static long hash(String id) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < id.length(); i++) {
      h ^= id.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 30;
    h *= 0xbf58476d1ce4e5b9L;
    h ^= h >>> 27;
    h *= 0x94d049bb133111ebL;
    h ^= h >>> 31;
    return h;
  }
}
