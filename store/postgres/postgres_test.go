package postgres_test

import (
	"testing"

	"github.com/outdial/outdial/internal/pgtest"
	"github.com/outdial/outdial/store"
	"github.com/outdial/outdial/store/storetest"
)

func TestConformance(t *testing.T) {
	run := pgtest.NewRun()
	storetest.Run(t, func(t *testing.T, name string) store.Store { return run.Open(t, name) })
}
