"""Use cases. Each public function runs in one transaction that commits whole or not at all."""
