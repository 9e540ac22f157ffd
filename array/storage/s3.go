package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// MaxObjectBytes caps the bytes one S3 Get or GetRange returns and one
// Put sends (4 GiB): a larger object is an error before anything is
// allocated. A larger object can still be read in ranges of at most this
// size each.
const MaxObjectBytes = 4 << 30

// ErrAuth is wrapped by S3 errors where the server rejected the
// credentials (wrong access or secret key) or denied access.
var ErrAuth = errors.New("storage: S3 credentials rejected or access denied")

// S3Config is how to reach an S3-compatible server. It is comparable:
// stores opened with equal configs share one client (and its
// connections).
type S3Config struct {
	// Endpoint is "host[:port]" ("s3.amazonaws.com", "127.0.0.1:9000").
	// A leading "http://" or "https://" is accepted and sets Secure.
	Endpoint string
	// Region; empty asks the server once per bucket.
	Region string
	// AccessKey, SecretKey and SessionToken are static credentials
	// (AccessKey empty: anonymous requests).
	AccessKey, SecretKey, SessionToken string
	// Secure uses TLS.
	Secure bool
	// PathStyle forces path-style requests (http://host/bucket/key);
	// otherwise the client picks (virtual-host style on AWS).
	PathStyle bool
	// MaxRetries per request; 0 is the client's default (10), 1 never
	// retries.
	MaxRetries int
}

// normalize strips a URL scheme from the endpoint into Secure and checks
// that an endpoint is there.
func (c S3Config) normalize() (S3Config, error) {
	switch {
	case strings.HasPrefix(c.Endpoint, "http://"):
		c.Endpoint, c.Secure = strings.TrimPrefix(c.Endpoint, "http://"), false
	case strings.HasPrefix(c.Endpoint, "https://"):
		c.Endpoint, c.Secure = strings.TrimPrefix(c.Endpoint, "https://"), true
	}
	c.Endpoint = strings.TrimSuffix(c.Endpoint, "/")
	if c.Endpoint == "" {
		return c, fmt.Errorf("storage: S3 config has no endpoint")
	}
	if strings.ContainsAny(c.Endpoint, "/?# ") {
		return c, fmt.Errorf("storage: S3 endpoint %q is not host[:port]", c.Endpoint)
	}
	if c.MaxRetries < 0 {
		return c, fmt.Errorf("storage: S3 MaxRetries %d < 0", c.MaxRetries)
	}
	return c, nil
}

var s3state struct {
	sync.Mutex
	def     *S3Config
	clients map[S3Config]*minio.Client
}

func init() { RegisterScheme("s3", openS3) }

// ConfigureS3 sets this process's S3 server, used by Open for
// "s3://bucket/prefix" URLs. It is called once at start-up (cmd/ builds
// cfg from the AWS_* variables; tests from their server); a later call
// replaces it for stores opened afterwards.
func ConfigureS3(cfg S3Config) error {
	c, err := cfg.normalize()
	if err != nil {
		return err
	}
	s3state.Lock()
	s3state.def = &c
	s3state.Unlock()
	return nil
}

// openS3 opens "s3://bucket/prefix" with the configured server.
func openS3(url string) (Store, error) {
	s3state.Lock()
	def := s3state.def
	s3state.Unlock()
	if def == nil {
		return nil, fmt.Errorf("storage: open %q: no S3 server configured (storage.ConfigureS3; the command line reads AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)", url)
	}
	rest := strings.TrimPrefix(url, "s3://")
	bucket, prefix, _ := strings.Cut(rest, "/")
	return NewS3(*def, bucket, prefix)
}

// S3 is a Store on an S3 bucket: key k is the object prefix + "/" + k.
type S3 struct {
	client *minio.Client
	cfg    S3Config
	bucket string
	prefix string // "" or a checked key without slashes at either end
}

// NewS3 returns the store on bucket under prefix ("" for the whole
// bucket). It makes no request: a missing bucket or bad credentials show
// in the first call.
func NewS3(cfg S3Config, bucket, prefix string) (*S3, error) {
	c, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	if err := s3utils.CheckValidBucketNameStrict(bucket); err != nil {
		return nil, fmt.Errorf("storage: S3 bucket %q: %w", bucket, err)
	}
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		if err := CheckKey(prefix); err != nil {
			return nil, fmt.Errorf("storage: S3 prefix: %w", err)
		}
	}
	client, err := s3client(c)
	if err != nil {
		return nil, err
	}
	return &S3{client: client, cfg: c, bucket: bucket, prefix: prefix}, nil
}

// s3client returns the shared client for a normalized config.
func s3client(c S3Config) (*minio.Client, error) {
	s3state.Lock()
	defer s3state.Unlock()
	if cl := s3state.clients[c]; cl != nil {
		return cl, nil
	}
	opts := &minio.Options{
		Secure:     c.Secure,
		Region:     c.Region,
		MaxRetries: c.MaxRetries,
	}
	if c.AccessKey != "" {
		opts.Creds = credentials.NewStaticV4(c.AccessKey, c.SecretKey, c.SessionToken)
	}
	if c.PathStyle {
		opts.BucketLookup = minio.BucketLookupPath
	}
	cl, err := minio.New(c.Endpoint, opts)
	if err != nil {
		return nil, fmt.Errorf("storage: S3 endpoint %q: %w", c.Endpoint, err)
	}
	if s3state.clients == nil {
		s3state.clients = map[S3Config]*minio.Client{}
	}
	s3state.clients[c] = cl
	return cl, nil
}

// URL is "s3://bucket/prefix" (the server comes from ConfigureS3 in the
// process that opens it).
func (s *S3) URL() string {
	if s.prefix == "" {
		return "s3://" + s.bucket
	}
	return "s3://" + s.bucket + "/" + s.prefix
}

// object is the object name of a key.
func (s *S3) object(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	if s.prefix == "" {
		return key, nil
	}
	return s.prefix + "/" + key, nil
}

// s3err turns a client error into ours: missing keys wrap ErrNotFound,
// rejected credentials ErrAuth; a missing bucket is neither (it is a
// configuration mistake, not an absent key).
func (s *S3) s3err(op, key string, err error) error {
	where := fmt.Sprintf("%s/%s", s.URL(), key)
	switch minio.ToErrorResponse(err).Code {
	case minio.NoSuchKey:
		return fmt.Errorf("storage: %s %q: %w", op, where, ErrNotFound)
	case minio.NoSuchBucket:
		return fmt.Errorf("storage: %s %q: bucket %q does not exist on %s: %w", op, where, s.bucket, s.cfg.Endpoint, err)
	case minio.AccessDenied, minio.InvalidAccessKeyID, minio.SignatureDoesNotMatch:
		return fmt.Errorf("storage: %s %q on %s (access key %q): %w: %w", op, where, s.cfg.Endpoint, s.cfg.AccessKey, ErrAuth, err)
	}
	return fmt.Errorf("storage: %s %q on %s: %w", op, where, s.cfg.Endpoint, err)
}

// Get reads the whole object (one GET).
func (s *S3) Get(ctx context.Context, key string) ([]byte, error) {
	obj, err := s.object(key)
	if err != nil {
		return nil, err
	}
	body, info, _, err := s.core().GetObject(ctx, s.bucket, obj, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.s3err("get", key, err)
	}
	defer body.Close()
	if info.Size < 0 {
		// No Content-Length (a chunked answer): read up to the cap.
		b, err := io.ReadAll(io.LimitReader(body, MaxObjectBytes+1))
		if err != nil {
			return nil, fmt.Errorf("storage: get %s/%s: %w", s.URL(), key, err)
		}
		if int64(len(b)) > MaxObjectBytes {
			return nil, fmt.Errorf("storage: get %s/%s: over MaxObjectBytes = %d", s.URL(), key, int64(MaxObjectBytes))
		}
		return b, nil
	}
	return s.readBody(key, body, info.Size)
}

// readBody reads exactly n bytes, refusing n over MaxObjectBytes before
// allocating and a body longer than n.
func (s *S3) readBody(key string, body io.Reader, n int64) ([]byte, error) {
	if n < 0 || n > MaxObjectBytes {
		return nil, fmt.Errorf("storage: get %s/%s: %d bytes, outside [0, MaxObjectBytes = %d]", s.URL(), key, n, int64(MaxObjectBytes))
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(body, buf); err != nil {
		return nil, fmt.Errorf("storage: get %s/%s: reading %d bytes: %w", s.URL(), key, n, err)
	}
	var one [1]byte
	if m, _ := body.Read(one[:]); m != 0 {
		return nil, fmt.Errorf("storage: get %s/%s: server sent more than the %d bytes it announced", s.URL(), key, n)
	}
	return buf, nil
}

func (s *S3) core() minio.Core { return minio.Core{Client: s.client} }

// GetRange reads n bytes at off (n < 0: to the end) with one ranged GET;
// the object's total size comes back in Content-Range and is checked, so
// a range past the end is an error, never a short read.
func (s *S3) GetRange(ctx context.Context, key string, off, n int64) ([]byte, error) {
	obj, err := s.object(key)
	if err != nil {
		return nil, err
	}
	if off < 0 || (n >= 0 && off+n < off) {
		return nil, fmt.Errorf("storage: %q: bad range offset %d length %d", key, off, n)
	}
	if n > MaxObjectBytes {
		return nil, fmt.Errorf("storage: get %s/%s: range of %d bytes over MaxObjectBytes = %d", s.URL(), key, n, int64(MaxObjectBytes))
	}
	if n == 0 {
		// An empty range cannot be asked for in HTTP; check it against
		// the size.
		return s.emptyRange(ctx, key, off)
	}
	if n < 0 && off == 0 {
		return s.Get(ctx, key)
	}
	var opts minio.GetObjectOptions
	if n < 0 {
		opts.Set("Range", fmt.Sprintf("bytes=%d-", off))
	} else {
		opts.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+n-1))
	}
	body, _, hdr, err := s.core().GetObject(ctx, s.bucket, obj, opts)
	if err != nil {
		if minio.ToErrorResponse(err).Code == minio.InvalidRange {
			// off is at or past the end: fine only for "the rest" at
			// exactly the end.
			if n < 0 {
				return s.emptyRange(ctx, key, off)
			}
			size, serr := s.Size(ctx, key)
			if serr != nil {
				return nil, serr
			}
			return nil, rangeErr(key, off, n, size)
		}
		return nil, s.s3err("get", key, err)
	}
	defer body.Close()
	first, last, total, err := parseContentRange(hdr.Get("Content-Range"))
	if err != nil {
		return nil, fmt.Errorf("storage: get %s/%s: %w", s.URL(), key, err)
	}
	if first != off {
		return nil, fmt.Errorf("storage: get %s/%s: asked for bytes from %d, server sent from %d", s.URL(), key, off, first)
	}
	if n < 0 {
		n = total - off
	} else if off+n > total {
		return nil, rangeErr(key, off, n, total)
	}
	if last != off+n-1 {
		return nil, fmt.Errorf("storage: get %s/%s: asked for bytes %d-%d, server sent %d-%d", s.URL(), key, off, off+n-1, first, last)
	}
	return s.readBody(key, body, n)
}

func (s *S3) emptyRange(ctx context.Context, key string, off int64) ([]byte, error) {
	size, err := s.Size(ctx, key)
	if err != nil {
		return nil, err
	}
	if off > size {
		return nil, rangeErr(key, off, 0, size)
	}
	return []byte{}, nil
}

func rangeErr(key string, off, n, size int64) error {
	return fmt.Errorf("storage: %q: range [%d, %d+%d) outside its %d bytes", key, off, off, n, size)
}

// parseContentRange reads "bytes first-last/total".
func parseContentRange(h string) (first, last, total int64, err error) {
	bad := fmt.Errorf("ranged GET answered without a usable Content-Range (%q)", h)
	spec, ok := strings.CutPrefix(h, "bytes ")
	if !ok {
		return 0, 0, 0, bad
	}
	r, t, ok := strings.Cut(spec, "/")
	if !ok {
		return 0, 0, 0, bad
	}
	a, b, ok := strings.Cut(r, "-")
	if !ok {
		return 0, 0, 0, bad
	}
	if first, err = strconv.ParseInt(a, 10, 64); err != nil {
		return 0, 0, 0, bad
	}
	if last, err = strconv.ParseInt(b, 10, 64); err != nil {
		return 0, 0, 0, bad
	}
	if total, err = strconv.ParseInt(t, 10, 64); err != nil {
		return 0, 0, 0, bad
	}
	if first < 0 || last < first || total <= last {
		return 0, 0, 0, bad
	}
	return first, last, total, nil
}

// Size is the object's size (one HEAD).
func (s *S3) Size(ctx context.Context, key string) (int64, error) {
	obj, err := s.object(key)
	if err != nil {
		return 0, err
	}
	info, err := s.client.StatObject(ctx, s.bucket, obj, minio.StatObjectOptions{})
	if err != nil {
		return 0, s.s3err("size", key, err)
	}
	return info.Size, nil
}

// Put uploads the object with its size known, so objects up to the
// client's part size (16 MiB and more) go in one PUT; larger ones go as a
// multipart upload, which S3 also makes visible all at once.
func (s *S3) Put(ctx context.Context, key string, data []byte) error {
	obj, err := s.object(key)
	if err != nil {
		return err
	}
	if int64(len(data)) > MaxObjectBytes {
		return fmt.Errorf("storage: put %s/%s: %d bytes over MaxObjectBytes = %d", s.URL(), key, len(data), int64(MaxObjectBytes))
	}
	_, err = s.client.PutObject(ctx, s.bucket, obj, bytes.NewReader(data), int64(len(data)),
		minio.PutObjectOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return s.s3err("put", key, err)
	}
	return nil
}

// Delete removes the object; S3 answers a missing one with success.
func (s *S3) Delete(ctx context.Context, key string) error {
	obj, err := s.object(key)
	if err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, obj, minio.RemoveObjectOptions{}); err != nil {
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil
		}
		return s.s3err("delete", key, err)
	}
	return nil
}

// List lists the objects under the store's prefix + prefix, recursively,
// without "directory marker" objects (names ending in '/').
func (s *S3) List(ctx context.Context, prefix string) ([]string, error) {
	base := ""
	if s.prefix != "" {
		base = s.prefix + "/"
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the lister's goroutine on an early return
	var out []string
	for info := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: base + listAsk(prefix), Recursive: true}) {
		if info.Err != nil {
			return nil, s.s3err("list", prefix, info.Err)
		}
		k, ok := strings.CutPrefix(info.Key, base)
		if !ok || !strings.HasPrefix(k, prefix) || k == "" || strings.HasSuffix(k, "/") {
			continue
		}
		out = append(out, k)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("storage: list %s/%s: %w", s.URL(), prefix, err)
	}
	sort.Strings(out)
	return out, nil
}

// listAsk is the prefix List asks the server for; List filters by the
// whole prefix itself. S3 takes only UTF-8 prefixes, so a prefix cut
// inside a character loses the partial one, and MinIO refuses prefixes
// with empty, "." or ".." segments (which no key has; a trailing '/' is
// fine), so the ask stops before the first of them.
func listAsk(prefix string) string {
	ask := prefix
	for ask != "" && !utf8.ValidString(ask) {
		ask = ask[:len(ask)-1]
	}
	segs := strings.Split(ask, "/")
	for i, seg := range segs {
		if seg == "." || seg == ".." || (seg == "" && i < len(segs)-1) {
			return strings.Join(segs[:i], "/") + strings.Repeat("/", min(i, 1))
		}
	}
	return ask
}
