package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Store is a flat key-value store of byte objects.
type Store interface {
	// Get returns the whole object.
	Get(ctx context.Context, key string) ([]byte, error)
	// GetRange returns n bytes from offset off (n < 0: to the end). A
	// range past the end of the object is an error.
	GetRange(ctx context.Context, key string, off, n int64) ([]byte, error)
	// Size returns the object's size in bytes.
	Size(ctx context.Context, key string) (int64, error)
	// Put writes the object atomically (all or nothing).
	Put(ctx context.Context, key string, data []byte) error
	// Delete removes the object; a missing one is not an error.
	Delete(ctx context.Context, key string) error
	// List returns the keys that start with prefix, sorted.
	List(ctx context.Context, prefix string) ([]string, error)
	// URL names the store so that Open gives it back, in this process or
	// another.
	URL() string
}

// Appender is implemented by stores that can read an object into a
// caller's buffer (Dir), so readers of many objects reuse memory instead
// of allocating per object.
type Appender interface {
	// GetAppend is Get into buf[:0] (grown when too small).
	GetAppend(ctx context.Context, key string, buf []byte) ([]byte, error)
}

// Streamer is implemented by stores that can hand an object out as a
// stream (Dir), so a reader can decode it as it arrives instead of
// holding its encoded bytes whole.
type Streamer interface {
	// GetStream returns the object under key as a reader at its start,
	// and its size; the caller closes the reader.
	GetStream(ctx context.Context, key string) (io.ReadCloser, int64, error)
}

// ErrNotFound is wrapped by errors for missing keys.
var ErrNotFound = errors.New("storage: no such key")

// CheckKey rejects keys that could escape the store or are malformed:
// empty, absolute, with empty, "." or ".." segments, with a backslash or
// NUL, or with a segment starting ".tmp-" (the name of Dir's temporary
// files, which List hides).
func CheckKey(key string) error {
	if key == "" {
		return fmt.Errorf("storage: empty key")
	}
	if strings.ContainsAny(key, "\\\x00") {
		return fmt.Errorf("storage: key %q: backslash or NUL", key)
	}
	for _, seg := range strings.Split(key, "/") {
		switch seg {
		case "", ".", "..":
			return fmt.Errorf("storage: key %q: empty, '.' or '..' segment", key)
		}
		if strings.HasPrefix(seg, ".tmp-") {
			return fmt.Errorf("storage: key %q: names starting with .tmp- are the stores' temporaries", key)
		}
	}
	return nil
}

// Join joins key segments with '/', skipping empty ones.
func Join(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		p = strings.Trim(p, "/")
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		b.WriteString(p)
	}
	return b.String()
}

// Opener makes a store from a URL of its scheme.
type Opener func(url string) (Store, error)

var openers struct {
	sync.RWMutex
	m map[string]Opener
}

// RegisterScheme makes Open understand "scheme://..." URLs.
func RegisterScheme(scheme string, o Opener) {
	openers.Lock()
	defer openers.Unlock()
	if openers.m == nil {
		openers.m = map[string]Opener{}
	}
	openers.m[scheme] = o
}

// Open returns the store a URL names: "file:///path" or a plain path (a
// local directory, created on the first Put), "s3://bucket/prefix", or
// any scheme registered with RegisterScheme.
func Open(url string) (Store, error) {
	scheme, _, ok := strings.Cut(url, "://")
	if !ok {
		return NewDir(url)
	}
	if scheme == "file" {
		return NewDir(strings.TrimPrefix(url, "file://"))
	}
	openers.RLock()
	o := openers.m[scheme]
	openers.RUnlock()
	if o == nil {
		return nil, fmt.Errorf("storage: no store for scheme %q (url %q)", scheme, url)
	}
	return o(url)
}
