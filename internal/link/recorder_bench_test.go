package link

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"nudge/internal/store"
)

// BenchmarkRecorder is the click writer's cost per click into SQLite:
// queueing, batching, hashing and the multi-row insert.
func BenchmarkRecorder(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	s, _ := newService(b, db, Options{QueueWait: time.Minute})
	const ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		s.rec.record(ctx, click{linkID: int64(i%1000 + 1), at: 1700000000 + int64(i/1000), ua: ua, ip: "10.1.2.3"})
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
}
