package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/outdial/outdial/store"
	"github.com/outdial/outdial/store/sqlite"
	"github.com/outdial/outdial/store/storetest"
)

func TestConformance(t *testing.T) {
	dir := t.TempDir()
	storetest.Run(t, func(t *testing.T, name string) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(dir, name+".db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
