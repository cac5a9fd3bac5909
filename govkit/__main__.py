from govkit.cli.main import main

raise SystemExit(main())
