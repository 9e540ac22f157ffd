package arrowio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// msgReader is an ipc.MessageReader that checks each encapsulated message
// before the Arrow library decodes it (see verifySchema and verifyBatch):
// metadata up to MaxFooterBytes, bodies up to MaxBatchBytes, and no
// dictionary batches. It reads from r (a stream: a body is read as it
// arrives, not allocated whole from its declared length past
// streamChunk) or, when r is nil, from msgs, whole encapsulated messages
// already in memory (decoded without copying).
type msgReader struct {
	r    io.Reader
	msgs [][]byte
	cur  *ipc.Message
	refs atomic.Int64
}

// streamChunk is the most a stream body is allocated ahead of the bytes
// that arrive.
const streamChunk = 8 << 20

func newMsgReader(r io.Reader, msgs ...[]byte) *msgReader {
	m := &msgReader{r: r, msgs: msgs}
	m.refs.Store(1)
	return m
}

func (m *msgReader) Retain() { m.refs.Add(1) }

func (m *msgReader) Release() {
	if m.refs.Add(-1) == 0 && m.cur != nil {
		m.cur.Release()
		m.cur = nil
	}
}

// Message reads the next message; io.EOF at the end of the stream.
func (m *msgReader) Message() (*ipc.Message, error) {
	if m.cur != nil {
		m.cur.Release()
		m.cur = nil
	}
	var (
		meta, body []byte
		kind, h    int
		err        error
	)
	if m.r == nil {
		if len(m.msgs) == 0 {
			return nil, io.EOF
		}
		buf := m.msgs[0]
		m.msgs = m.msgs[1:]
		meta, body, kind, h, err = splitMessage(buf)
		if err != nil {
			return nil, err
		}
	} else {
		meta, body, kind, h, err = readMessage(m.r)
		if err != nil {
			return nil, err
		}
	}
	switch kind {
	case msgSchema:
		err = fbuf(meta).verifySchema(h)
	case msgRecordBatch:
		err = verifyBatch(meta, h, body)
	case msgDictionary:
		err = fmt.Errorf("dictionary batches are not supported")
	default:
		err = fmt.Errorf("unexpected message type %d", kind)
	}
	if err != nil {
		return nil, err
	}
	mb, bb := memory.NewBufferBytes(meta), memory.NewBufferBytes(body)
	m.cur = ipc.NewMessage(mb, bb)
	mb.Release()
	bb.Release()
	return m.cur, nil
}

// metaLength decodes a message prefix: the continuation marker and
// length, or a bare length (before Arrow 0.15). n == 0 is end of stream.
func metaLength(pre []byte, more func() ([]byte, error)) (n uint32, err error) {
	n = binary.LittleEndian.Uint32(pre)
	if n == 0xFFFFFFFF {
		b, err := more()
		if err != nil {
			return 0, fmt.Errorf("message length: %w", err)
		}
		n = binary.LittleEndian.Uint32(b)
	}
	if n != 0 && (n > MaxFooterBytes || n < 8) {
		return 0, fmt.Errorf("message metadata length %d outside [8, %d]", n, int64(MaxFooterBytes))
	}
	return n, nil
}

func checkBodyLen(n int64) error {
	if n > MaxBatchBytes {
		return fmt.Errorf("message body of %d bytes exceeds the limit of %d", n, int64(MaxBatchBytes))
	}
	return nil
}

// splitMessage takes one whole encapsulated message apart.
func splitMessage(buf []byte) (meta, body []byte, kind, h int, err error) {
	if len(buf) < 4 {
		return nil, nil, 0, 0, fmt.Errorf("message of %d bytes", len(buf))
	}
	at := 4
	n, err := metaLength(buf, func() ([]byte, error) {
		if len(buf) < 8 {
			return nil, io.ErrUnexpectedEOF
		}
		at = 8
		return buf[4:8], nil
	})
	if err != nil {
		return nil, nil, 0, 0, err
	}
	if n == 0 || int64(n) > int64(len(buf)-at) {
		return nil, nil, 0, 0, fmt.Errorf("message metadata length %d past the message's %d bytes", n, len(buf))
	}
	meta = buf[at : at+int(n)]
	kind, h, bodyLen, err := messageInfo(meta)
	if err != nil {
		return nil, nil, 0, 0, fmt.Errorf("message metadata: %w", err)
	}
	if err := checkBodyLen(bodyLen); err != nil {
		return nil, nil, 0, 0, err
	}
	rest := buf[at+int(n):]
	if bodyLen > int64(len(rest)) {
		return nil, nil, 0, 0, fmt.Errorf("message body of %d bytes past the message's end (%d left)", bodyLen, len(rest))
	}
	return meta, rest[:bodyLen], kind, h, nil
}

// readMessage reads one encapsulated message from a stream; io.EOF at
// its end.
func readMessage(r io.Reader) (meta, body []byte, kind, h int, err error) {
	var pre [4]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, 0, 0, io.EOF
		}
		return nil, nil, 0, 0, fmt.Errorf("message prefix: %w", err)
	}
	n, err := metaLength(pre[:], func() ([]byte, error) {
		var b [4]byte
		_, err := io.ReadFull(r, b[:])
		return b[:], noEOF(err)
	})
	if err != nil {
		return nil, nil, 0, 0, err
	}
	if n == 0 {
		return nil, nil, 0, 0, io.EOF
	}
	meta = make([]byte, n)
	if _, err := io.ReadFull(r, meta); err != nil {
		return nil, nil, 0, 0, fmt.Errorf("message metadata: %w", noEOF(err))
	}
	kind, h, bodyLen, err := messageInfo(meta)
	if err != nil {
		return nil, nil, 0, 0, fmt.Errorf("message metadata: %w", err)
	}
	if err := checkBodyLen(bodyLen); err != nil {
		return nil, nil, 0, 0, err
	}
	body = make([]byte, min(bodyLen, streamChunk))
	for got := 0; ; {
		k, err := io.ReadFull(r, body[got:])
		got += k
		if err != nil {
			return nil, nil, 0, 0, fmt.Errorf("message body: %d of %d bytes: %w", got, bodyLen, noEOF(err))
		}
		if int64(got) == bodyLen {
			break
		}
		more := int(min(bodyLen-int64(got), int64(len(body))))
		body = slices.Grow(body, more)[:len(body)+more]
	}
	return meta, body, kind, h, nil
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// newStreamReader is ipc.NewReader over checked messages: read from r,
// or the whole messages msgs when r is nil.
func newStreamReader(r io.Reader, msgs ...[]byte) (*ipc.Reader, error) {
	return ipc.NewReaderFromMessageReader(newMsgReader(r, msgs...), ipc.WithAllocator(memory.DefaultAllocator))
}
