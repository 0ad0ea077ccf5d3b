package lists

import (
	"context"
	"errors"
	"io"
	"sync"
)

// batchRows is how many records one worker validates at a time.
const batchRows = 256

// result is one validated record.
type result[T any] struct {
	rec   record
	val   T
	key   uint64 // the number used for duplicate detection
	err   *RowError
	blank bool
}

type batch[T any] struct {
	recs []record
	out  []result[T]
	done chan struct{}
}

// pipeline reads records from src on one goroutine, validates them on workers (each
// with its own converter from newConv, so converters may keep caches) and hands the
// results back in file order. Memory stays bounded: a few batches are in flight.
type pipeline[T any] struct {
	ctx     context.Context
	ordered chan *batch[T]
	quit    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
	readErr error
	cur     *batch[T]
	i       int
}

func startPipeline[T any](ctx context.Context, src source, workers int, newConv func() func(record) result[T]) *pipeline[T] {
	if workers < 1 {
		workers = 1
	}
	p := &pipeline[T]{ctx: ctx, ordered: make(chan *batch[T], workers*2), quit: make(chan struct{})}
	work := make(chan *batch[T], workers*2)
	p.wg.Add(1 + workers)
	go func() {
		defer p.wg.Done()
		defer close(p.ordered)
		defer close(work)
		for {
			b := &batch[T]{done: make(chan struct{})}
			eof := false
			for len(b.recs) < batchRows {
				rec, err := src.next()
				if errors.Is(err, io.EOF) {
					eof = true
					break
				}
				if err != nil {
					p.readErr = err
					eof = true
					break
				}
				b.recs = append(b.recs, rec)
			}
			if len(b.recs) > 0 {
				b.out = make([]result[T], len(b.recs))
				select {
				case work <- b:
				case <-p.quit:
					return
				}
				select {
				case p.ordered <- b:
				case <-p.quit:
					return
				}
			}
			if eof {
				return
			}
		}
	}()
	for w := 0; w < workers; w++ {
		go func() {
			defer p.wg.Done()
			conv := newConv()
			for b := range work {
				for i, rec := range b.recs {
					b.out[i] = conv(rec)
				}
				close(b.done)
			}
		}()
	}
	return p
}

// next returns the next result in file order, io.EOF at the end, or the read error.
func (p *pipeline[T]) next() (result[T], error) {
	for p.cur == nil || p.i == len(p.cur.out) {
		b, ok := <-p.ordered
		if !ok {
			if p.readErr != nil {
				return result[T]{}, p.readErr
			}
			return result[T]{}, io.EOF
		}
		select {
		case <-b.done:
		case <-p.ctx.Done():
			return result[T]{}, p.ctx.Err()
		}
		p.cur, p.i = b, 0
	}
	p.i++
	return p.cur.out[p.i-1], nil
}

// stop ends the goroutines and waits for them.
func (p *pipeline[T]) stop() {
	p.once.Do(func() { close(p.quit) })
	p.wg.Wait()
}
