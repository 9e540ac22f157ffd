package arrowio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// msgReader is an ipc.MessageReader that checks each encapsulated message
// before the Arrow library decodes it (see verifySchema and verifyBatch):
// metadata up to MaxFooterBytes, bodies up to MaxBatchBytes, read as they
// arrive rather than allocated from the declared length, and no
// dictionary batches.
type msgReader struct {
	r    io.Reader
	cur  *ipc.Message
	refs atomic.Int64
}

func newMsgReader(r io.Reader) *msgReader {
	m := &msgReader{r: r}
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
	var pre [4]byte
	if _, err := io.ReadFull(m.r, pre[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("message prefix: %w", err)
	}
	n := binary.LittleEndian.Uint32(pre[:])
	if n == 0xFFFFFFFF {
		if _, err := io.ReadFull(m.r, pre[:]); err != nil {
			return nil, fmt.Errorf("message length: %w", noEOF(err))
		}
		n = binary.LittleEndian.Uint32(pre[:])
	}
	if n == 0 {
		return nil, io.EOF
	}
	if n > MaxFooterBytes || n < 8 {
		return nil, fmt.Errorf("message metadata length %d outside [8, %d]", n, int64(MaxFooterBytes))
	}
	meta := make([]byte, n)
	if _, err := io.ReadFull(m.r, meta); err != nil {
		return nil, fmt.Errorf("message metadata: %w", noEOF(err))
	}
	kind, h, bodyLen, err := messageInfo(meta)
	if err != nil {
		return nil, fmt.Errorf("message metadata: %w", err)
	}
	if bodyLen > MaxBatchBytes {
		return nil, fmt.Errorf("message body of %d bytes exceeds the limit of %d", bodyLen, int64(MaxBatchBytes))
	}
	var body bytes.Buffer
	if k, err := io.CopyN(&body, m.r, bodyLen); err != nil {
		return nil, fmt.Errorf("message body: %d of %d bytes: %w", k, bodyLen, noEOF(err))
	}
	switch kind {
	case msgSchema:
		err = fbuf(meta).verifySchema(h)
	case msgRecordBatch:
		err = verifyBatch(meta, h, body.Bytes())
	case msgDictionary:
		err = fmt.Errorf("dictionary batches are not supported")
	default:
		err = fmt.Errorf("unexpected message type %d", kind)
	}
	if err != nil {
		return nil, err
	}
	mb, bb := memory.NewBufferBytes(meta), memory.NewBufferBytes(body.Bytes())
	m.cur = ipc.NewMessage(mb, bb)
	mb.Release()
	bb.Release()
	return m.cur, nil
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// newStreamReader is ipc.NewReader over checked messages.
func newStreamReader(r io.Reader) (*ipc.Reader, error) {
	return ipc.NewReaderFromMessageReader(newMsgReader(r), ipc.WithAllocator(memory.DefaultAllocator))
}
